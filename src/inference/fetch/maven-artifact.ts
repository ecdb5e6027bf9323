// A Maven artifact named by its coordinates (group:artifact:version) and where its jar lives: in the
// standard repository layout, remotely (Maven Central or a mirror) and in the local ~/.m2 repository.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Maven Central's repository root ("repo1"); LIVEPIPE_MAVEN_REPOSITORY names a mirror instead. */
export const MAVEN_CENTRAL = 'https://repo.maven.apache.org/maven2/';

const PART = /^[A-Za-z0-9_.-]+$/;

export interface MavenArtifact {
  groupId: string;
  artifactId: string;
  version: string;
  /** `group:artifact:version`, as `mvn dependency:get -Dartifact=` takes it. */
  coordinates: string;
}

/** Parses `group:artifact:version`; undefined when the text is not three plain parts. */
export function parseMavenCoordinates(text: string): MavenArtifact | undefined {
  const parts = text.split(':');
  if (parts.length !== 3 || !parts.every((part) => PART.test(part) && part !== '.' && part !== '..')) {
    return undefined;
  }
  const [groupId, artifactId, version] = parts as [string, string, string];
  return { groupId, artifactId, version, coordinates: text };
}

/** The jar's path in the standard layout: `<group as folders>/<artifact>/<version>/<artifact>-<version>.jar`. */
export function jarRepositoryPath(artifact: MavenArtifact): string {
  const { groupId, artifactId, version } = artifact;
  return `${groupId.replaceAll('.', '/')}/${artifactId}/${version}/${artifactId}-${version}.jar`;
}

export function jarUrl(artifact: MavenArtifact, repository = MAVEN_CENTRAL): string {
  return new URL(jarRepositoryPath(artifact), repository.endsWith('/') ? repository : `${repository}/`).href;
}

/** Where `mvn dependency:get` leaves the jar with Maven's default settings. */
export function localRepositoryJar(artifact: MavenArtifact, localRepository = defaultLocalRepository()): string {
  return join(localRepository, ...jarRepositoryPath(artifact).split('/'));
}

export function defaultLocalRepository(): string {
  return join(homedir(), '.m2', 'repository');
}
