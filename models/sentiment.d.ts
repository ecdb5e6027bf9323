// Types for the part of the `sentiment` package (AFINN-165 scorer, no bundled types) the model build uses.
declare module 'sentiment' {
  interface AnalyzeResult {
    score: number;
    comparative: number;
    tokens: string[];
    words: string[];
    positive: string[];
    negative: string[];
  }
  export default class Sentiment {
    analyze(phrase: string, options?: { language?: string; extras?: Record<string, number> }): AnalyzeResult;
  }
}
