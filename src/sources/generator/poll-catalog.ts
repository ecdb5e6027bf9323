// Poll questions a simulated stream cycles through; each stream runs one poll at a time.

export interface PollTemplate {
  question: string;
  options: readonly string[];
}

export const POLL_CATALOG: readonly PollTemplate[] = [
  { question: 'What should we play next?', options: ['racing', 'puzzle', 'horror', 'shooter'] },
  { question: 'Which outfit tomorrow?', options: ['red', 'black', 'white'] },
  { question: 'Song for the next round?', options: ['pop', 'rock', 'lo-fi', 'k-pop', 'rap'] },
  { question: 'Should I dye my hair?', options: ['yes', 'no'] },
  { question: 'Cook what for dinner?', options: ['pasta', 'ramen', 'tacos', 'curry'] },
  { question: 'Who wins the duel?', options: ['blue team', 'red team'] },
  { question: 'Stream longer tonight?', options: ['yes', 'no', 'one more hour'] },
  { question: 'Best snack?', options: ['chips', 'popcorn', 'chocolate', 'fruit'] },
];
