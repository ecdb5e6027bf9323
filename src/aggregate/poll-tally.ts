// Vote counts of one stream's current poll. A vote for a new poll id starts a fresh tally; late
// votes for a poll that has already been replaced are refused rather than resetting the tally.

export interface PollSnapshot {
  pollId: string;
  question: string;
  tallies: Record<string, number>;
  total: number;
}

/** How many replaced poll ids are remembered to refuse their late votes. */
const ENDED_POLLS_KEPT = 16;

export class PollTally {
  private pollId: string | undefined;
  private question = '';
  private readonly counts = new Map<string, number>();
  private total = 0;
  private readonly ended: string[] = [];

  /** Counts one vote; false when the vote belongs to a poll that has been replaced. */
  vote(pollId: string, question: string, option: string, options: readonly string[] | undefined): boolean {
    if (pollId !== this.pollId) {
      if (this.ended.includes(pollId)) return false;
      if (this.pollId !== undefined) {
        this.ended.push(this.pollId);
        if (this.ended.length > ENDED_POLLS_KEPT) this.ended.shift();
      }
      this.pollId = pollId;
      this.question = question;
      this.counts.clear();
      this.total = 0;
      if (options) for (const choice of options) this.counts.set(choice, 0);
    }
    this.counts.set(option, (this.counts.get(option) ?? 0) + 1);
    this.total++;
    return true;
  }

  snapshot(): PollSnapshot | undefined {
    if (this.pollId === undefined) return undefined;
    return {
      pollId: this.pollId,
      question: this.question,
      tallies: Object.fromEntries(this.counts),
      total: this.total,
    };
  }
}
