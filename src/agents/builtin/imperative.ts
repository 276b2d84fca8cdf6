/** Verbs that open an instruction, for the planner ("and <verb>" starts a new part) and for reading what a request asks (record-ask.ts); a module of its own so that readers need not load the planner. */
export const IMPERATIVE: ReadonlySet<string> = new Set([
  // "Give me three facts about ...", "Forget that ...": requests, never statements to record (before, the
  // first was recorded as a hypothesis, and later answers quoted it).
  'give', 'show', 'provide', 'forget', 'delete', 'remove', 'retract', 'define', 'recommend', 'remind', 'enumerate', 'brainstorm', 'choose', 'pick',
  'add', 'analyse', 'analyze', 'answer', 'ask', 'book', 'build', 'calculate', 'chart', 'check', 'clean', 'collect', 'compare', 'compile',
  'compute', 'confirm', 'convert', 'count', 'create', 'decide', 'deploy', 'describe', 'design', 'determine', 'download', 'draft', 'draw',
  'email', 'estimate', 'evaluate', 'explain', 'export', 'extract', 'fetch', 'file', 'find', 'fix', 'format', 'gather', 'generate', 'get',
  'identify', 'implement', 'list', 'look', 'make', 'measure', 'merge', 'note', 'notify', 'open', 'organise', 'organize', 'outline',
  'parse', 'plot', 'post', 'prepare', 'publish', 'put', 'rank', 'read', 'record', 'reply', 'report', 'research', 'reverse', 'review', 'rewrite',
  'run', 'save', 'schedule', 'search', 'send', 'share', 'sort', 'split', 'store', 'suggest', 'summarise', 'summarize', 'tell', 'test', 'translate',
  'update', 'upload', 'use', 'validate', 'verify', 'visualise', 'visualize', 'work', 'write'
])
