// Chat text for simulated viewers: templates with word-list slots per kind of comment, so the
// sentiment/moderation models see varied, realistic text (reactions, praise, complaints,
// questions and ~5 % abusive comments). English here; other languages (chinese-chat.ts) bring
// their own word lists and templates for the same kinds.
import { type SeededRandom, pickWeighted } from './seeded-random.js';

export type CommentKind = 'greeting' | 'reaction' | 'praise' | 'complaint' | 'question' | 'chatter' | 'abusive';

export interface ComposedComment {
  text: string;
  kind: CommentKind;
  /** Only for tests and benchmarks of moderation; never copied into the event. */
  abusive: boolean;
}

/** The word lists and templates of one chat language; weights are shared (see KIND_WEIGHTS). */
export interface ChatLanguage {
  slots: Readonly<Record<string, readonly string[]>>;
  templates: Readonly<Record<CommentKind, readonly string[]>>;
}

const SLOTS: Record<string, readonly string[]> = {
  emote: ['', '', '', ' 😂', ' 🔥', ' ❤️', ' 😮', ' 👏', ' 💀', ' 🙌', ' lol', ' xD', ' !!', ' <3'],
  host: ['streamer', 'chat', 'bro', 'queen', 'king', 'boss', 'everyone', 'mods', 'fam', 'legend'],
  good: [
    'amazing',
    'insane',
    'so good',
    'beautiful',
    'clean',
    'hilarious',
    'incredible',
    'wholesome',
    'top tier',
    'perfect',
  ],
  bad: [
    'laggy',
    'so boring',
    'too quiet',
    'blurry',
    'out of sync',
    'way too loud',
    'freezing again',
    'really slow today',
  ],
  thing: [
    'outfit',
    'voice',
    'setup',
    'play',
    'song',
    'recipe',
    'build',
    'combo',
    'drawing',
    'camera angle',
    'mic',
    'dance',
  ],
  topic: [
    'the next game',
    'your schedule',
    'the giveaway',
    'your keyboard',
    'the song name',
    'your cat',
    'the recipe',
    'the collab',
    'the merch',
  ],
  when: ['tomorrow', 'next week', 'tonight', 'on friday', 'after this', 'later'],
  place: ['Brazil', 'Manila', 'Berlin', 'Lagos', 'Texas', 'Seoul', 'Paris', 'Jakarta', 'Toronto', 'Mumbai'],
  insult: ['idiot', 'clown', 'loser', 'joke', 'fraud', 'moron', 'waste of time', 'total failure'],
  activity: ['this stream', 'your content', 'this game', 'that play', 'your voice', 'this music'],
};

const TEMPLATES: Record<CommentKind, readonly string[]> = {
  greeting: [
    'hi {host}{emote}',
    'hello from {place}{emote}',
    'just got here, what did I miss',
    'good evening {host}',
    'first time watching, hi all{emote}',
    'back again {host}{emote}',
  ],
  reaction: [
    'no way{emote}',
    'LMAO{emote}',
    'that was {good}{emote}',
    'omg omg omg{emote}',
    'wait what just happened',
    'hahaha{emote}',
    'W{emote}',
    'clip that{emote}',
    'i cannot believe that',
    'wow{emote}',
  ],
  praise: [
    'love the {thing}{emote}',
    'your {thing} is {good}',
    'best stream on here{emote}',
    'this is {good}, thank you {host}',
    'you always make my day{emote}',
    'great {thing} today',
    'such a {good} vibe in here{emote}',
    'thank you for streaming {host}, love you',
  ],
  complaint: [
    'stream is {bad}',
    'the audio is {bad}',
    'can you fix the {thing}, it is {bad}',
    'not a fan of the {thing} today',
    'this part is {bad}',
    'meh, yesterday was better',
    'too many ads today',
    'i am getting bored honestly',
  ],
  question: [
    'what is {topic}?',
    'when is {topic}?',
    'can you show the {thing} again?',
    'are you streaming {when}?',
    'how long have you been doing this?',
    'where did you get that {thing}?',
    'anyone from {place}?',
    'is {topic} still on?',
    'what mic do you use?',
    'can you say hi to me?',
  ],
  chatter: [
    'watching from {place}{emote}',
    'my cat is watching too{emote}',
    'chat is moving so fast',
    'mods are doing great work',
    'who else is here from the clip',
    '{host} {host} {host}',
  ],
  abusive: [
    'you are an {insult}',
    'shut up you {insult}',
    '{activity} is garbage and so are you',
    'worst streamer ever, such a {insult}',
    'nobody likes you, {insult}',
    'get off the internet you {insult}',
    'you are ugly and stupid',
    'what a pathetic {insult}',
  ],
};

export const ENGLISH_CHAT: ChatLanguage = { slots: SLOTS, templates: TEMPLATES };

const KIND_WEIGHTS: ReadonlyArray<readonly [CommentKind, number]> = [
  ['greeting', 0.12],
  ['reaction', 0.24],
  ['praise', 0.2],
  ['complaint', 0.12],
  ['question', 0.19],
  ['chatter', 0.08],
  ['abusive', 0.05],
];

const SLOT_PATTERN = /\{(\w+)\}/g;

interface CompiledTemplate {
  /** Literal text and slot word lists, alternating, starting with a literal. */
  parts: ReadonlyArray<string | readonly string[]>;
}

export class ChatCorpus {
  private readonly kinds: CommentKind[] = [];
  private readonly cumulative: Float64Array;
  private readonly total: number;
  private readonly templates = new Map<CommentKind, CompiledTemplate[]>();

  constructor(language: ChatLanguage = ENGLISH_CHAT) {
    this.cumulative = new Float64Array(KIND_WEIGHTS.length);
    let sum = 0;
    KIND_WEIGHTS.forEach(([kind, weight], i) => {
      this.kinds.push(kind);
      sum += weight;
      this.cumulative[i] = sum;
    });
    this.total = sum;
    for (const [kind, texts] of Object.entries(language.templates) as Array<[CommentKind, readonly string[]]>) {
      this.templates.set(
        kind,
        texts.map((text) => compileTemplate(text, language.slots)),
      );
    }
  }

  compose(random: SeededRandom): ComposedComment {
    const kind = this.kinds[pickWeighted(this.cumulative, this.total, random)] as CommentKind;
    const template = random.pick(this.templates.get(kind) as CompiledTemplate[]);
    let text = '';
    for (const part of template.parts) text += typeof part === 'string' ? part : random.pick(part);
    return { text, kind, abusive: kind === 'abusive' };
  }
}

function compileTemplate(template: string, slots: ChatLanguage['slots']): CompiledTemplate {
  const parts: Array<string | readonly string[]> = [];
  let last = 0;
  for (const match of template.matchAll(SLOT_PATTERN)) {
    const words = slots[match[1] as string];
    if (!words) throw new Error(`chat template "${template}" uses unknown slot {${match[1]}}`);
    parts.push(template.slice(last, match.index), words);
    last = match.index + match[0].length;
  }
  parts.push(template.slice(last));
  return { parts };
}
