// An evaluation set of English live-stream chat lines, written for livepipe (not taken from any
// stream or data set) and never trained on: the UCI sentences are product reviews, not chat, so a
// model's held-out accuracy there says little about a chat overlay. Labels are the writer's reading
// of what the chatter means (sarcasm by its intent). There is no neutral class, so every line was
// written to lean one way; `hard` marks sarcasm, slang, emotes and praise in negative words
// ("insane", "sick"), where a word-level reading goes wrong.
export interface ChatLine {
  text: string;
  label: 'negative' | 'positive';
  hard?: boolean;
}

export const ENGLISH_CHAT_EVAL: readonly ChatLine[] = [
  // Complaints about the stream itself.
  { text: 'stream is freezing again', label: 'negative' },
  { text: 'meh, yesterday was better', label: 'negative', hard: true },
  { text: 'audio is out of sync, unwatchable', label: 'negative' },
  { text: 'why is the mic so quiet', label: 'negative' },
  { text: 'lag lag lag', label: 'negative' },
  { text: 'buffering every 10 seconds smh', label: 'negative', hard: true },
  { text: 'the game audio is way too loud, cant hear you', label: 'negative' },
  { text: 'my ears hurt from that music', label: 'negative' },
  { text: 'bitrate is terrible today', label: 'negative' },
  { text: 'screen is black for me', label: 'negative', hard: true },
  // Disappointment with the play or the content.
  { text: 'this run is boring', label: 'negative' },
  { text: 'another loss, I give up watching', label: 'negative' },
  { text: 'that was a terrible decision', label: 'negative' },
  { text: 'throwing again...', label: 'negative', hard: true },
  { text: 'bro missed the easiest shot', label: 'negative', hard: true },
  { text: 'so many ads, leaving', label: 'negative' },
  { text: 'this patch ruined the game', label: 'negative' },
  { text: 'not this map again', label: 'negative', hard: true },
  { text: 'mods are asleep, chat is a mess', label: 'negative' },
  { text: 'I miss the old streams', label: 'negative', hard: true },
  { text: 'zzz', label: 'negative', hard: true },
  { text: 'worst stream this week', label: 'negative' },
  { text: 'ugh he died again', label: 'negative' },
  { text: 'fell asleep watching this', label: 'negative', hard: true },
  { text: 'cringe', label: 'negative', hard: true },
  { text: 'the camera is so blurry', label: 'negative' },
  { text: 'ResidentSleeper', label: 'negative', hard: true },
  { text: 'unsubbing after this', label: 'negative', hard: true },
  { text: 'wow great lag, love it', label: 'negative', hard: true },
  { text: 'nice, another disconnect', label: 'negative', hard: true },
  { text: 'oh perfect, the stream crashed again', label: 'negative', hard: true },
  { text: 'ok that was painful to watch', label: 'negative' },
  { text: 'he is tilted and it shows', label: 'negative', hard: true },
  { text: 'sad to see him lose like that', label: 'negative' },
  { text: 'why would you sell that item', label: 'negative', hard: true },
  { text: 'no way he bought that skin, waste of money', label: 'negative' },
  // Greetings, hype, praise.
  { text: 'back again bro', label: 'positive', hard: true },
  { text: 'hi chat, hi streamer!', label: 'positive' },
  { text: 'this boss fight is insane', label: 'positive', hard: true },
  { text: 'lol gg', label: 'positive', hard: true },
  { text: 'gg wp', label: 'positive', hard: true },
  { text: 'that play was sick', label: 'positive', hard: true },
  { text: 'POG', label: 'positive', hard: true },
  { text: 'LETS GOOO', label: 'positive', hard: true },
  { text: 'clutch!!', label: 'positive', hard: true },
  { text: 'love this song', label: 'positive' },
  { text: 'best streamer on the platform', label: 'positive' },
  { text: 'first time here, really enjoying it', label: 'positive' },
  { text: 'you killed it today', label: 'positive', hard: true },
  { text: 'that was so clean', label: 'positive', hard: true },
  { text: 'just subbed, keep it up', label: 'positive' },
  { text: 'the new overlay looks great', label: 'positive' },
  { text: 'haha that was hilarious', label: 'positive' },
  { text: 'cant stop laughing KEKW', label: 'positive', hard: true },
  { text: 'what a comeback', label: 'positive' },
  { text: 'chat is so wholesome today', label: 'positive' },
  { text: 'thanks for the stream, good night', label: 'positive' },
  { text: 'the stream quality is perfect now', label: 'positive' },
  { text: 'he is cracked at this game', label: 'positive', hard: true },
  { text: 'W streamer', label: 'positive', hard: true },
  { text: 'big W', label: 'positive', hard: true },
  { text: 'this is the best run so far', label: 'positive' },
  { text: 'nice shot!', label: 'positive' },
  { text: 'happy birthday streamer!!', label: 'positive' },
  { text: 'I have been waiting all week for this', label: 'positive', hard: true },
  { text: 'no way he pulled that off', label: 'positive', hard: true },
  { text: 'this is fire', label: 'positive', hard: true },
  { text: 'absolute legend', label: 'positive' },
  { text: 'good morning from Brazil', label: 'positive' },
  { text: 'hype hype hype', label: 'positive' },
  { text: 'so glad the stream is back', label: 'positive' },
  { text: 'rip, but that was fun', label: 'positive', hard: true },
];
