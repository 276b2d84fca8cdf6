/**
 * The manifests of the built-in agents, as plain data. Kept apart from the handlers so that the
 * capability index and the UI can read every manifest without loading mathjs or QuickJS.
 *
 * Skill descriptions and examples are what capability matching embeds (see `skillText`), so they
 * are written the way tasks arrive: varied verbs, varied phrasing, concrete objects. A word that
 * appears here pulls matching tasks to the agent; a skill with thin text loses tasks it could do.
 */
import type { BuiltinKind } from '../types.ts'

const AUTHOR = 'Meshwork built-ins'
const VERSION = '1.0.0'

export const BUILTIN_MANIFEST_SOURCES: Record<BuiltinKind, unknown> = {
  calculator: {
    manifestVersion: 1,
    id: 'calculator',
    name: 'Calculator',
    description: 'Evaluates arithmetic, equations, unit conversions, statistics, days between dates, times of day and interest written in words or symbols, offline, and shows its working.',
    version: VERSION,
    author: AUTHOR,
    skills: [
      {
        id: 'math.evaluate',
        name: 'Arithmetic and expression evaluation',
        description: 'Computes the value of arithmetic and mathematical expressions: addition, subtraction, multiplication, division, percentages, powers, roots, factorials, logarithms, trigonometry and comparisons; areas, perimeters and volumes of circles, rectangles, triangles, spheres, cubes and cylinders; whether a whole number is prime, even, odd, a perfect square or divisible by another; solves polynomial equations in one unknown (linear, quadratic and up to degree 8); rounds to decimal places or significant figures. Reads numbers and operators written in words ("12 plus 30", "17% of 2,340") and shows the parsed expression and result.',
        tags: ['math', 'arithmetic', 'calculate'],
        examples: [
          'What is 17% of 2,340?',
          'Calculate 2 * (3 + 4) ^ 2',
          'How much is 1,250 divided by 8?',
          'Square root of 144',
          'Evaluate sin(pi / 6) + log(100, 10)',
          'Multiply 6 by 7',
          'Is 2 + 2 = 5?',
          'Double 21',
          'Is 91 a prime number?',
          'Add 8 to it',
          'Multiply the result by 3',
          'Increase 80 by 15%'
        ],
        level: 'expert'
      },
      {
        id: 'math.convert-units',
        name: 'Unit conversion',
        description: 'Converts quantities between units of length, distance, mass, weight, volume, area, temperature, speed, time and data size: miles and kilometres, pounds and kilograms, Fahrenheit and Celsius, gallons and litres, feet and metres, hours and seconds, megabytes and gigabytes.',
        tags: ['units', 'conversion', 'math'],
        examples: [
          'Convert 5 miles to km',
          'How many kilograms is 150 pounds?',
          '100 fahrenheit in celsius',
          'How many litres are in 3 gallons?',
          'Convert 6 feet 2 inches to centimetres',
          '60 mph in km/h',
          'How many seconds in a day?',
          'What is 2.5 GB in MB?',
          'Convert 3 cups to millilitres',
          'How many square metres is one acre?'
        ],
        level: 'expert'
      },
      {
        id: 'math.statistics',
        name: 'Descriptive statistics',
        description: 'Summarises a list of numbers with descriptive statistics: mean (average), median, mode, standard deviation, variance, sum, product, minimum and maximum, and how many there are; sorts numbers in ascending or descending order.',
        tags: ['statistics', 'math', 'numbers'],
        examples: [
          'Mean of 3, 5, 9',
          'What is the average of 12, 15, 22 and 31?',
          'Median of 7 2 9 4 11',
          'Standard deviation of 2, 4, 4, 4, 5, 5, 7, 9',
          'Find the variance of these values: 1, 2, 3, 4',
          'Sum of 120, 340 and 95',
          'What is the largest of 17, 4, 29, 8?',
          'Mode of 1, 2, 2, 3, 3, 3',
          'Sort these numbers: 5, 3, 9',
          'Add them up',
          'Count them'
        ],
        level: 'competent'
      },
      {
        id: 'math.dates-interest',
        name: 'Dates, times of day, and interest',
        description: 'Counts the days or weeks between two calendar dates, or from a date until today; adds hours and minutes to a time of day or takes them away, and finds how long it is from one time of day to another; computes compound interest (yearly, quarterly, monthly compounding) and simple interest on a principal at a rate for a number of years.',
        tags: ['dates', 'calendar', 'interest', 'finance', 'math'],
        examples: [
          'How many days are there between January 1, 2027 and March 3, 2027?',
          'How many weeks until 25 December 2026?',
          'Days from 2027-01-01 to 2027-03-03',
          'How many days after that date is the launch?',
          'A train leaves at 9:40 and the trip takes 2 hours 35 minutes. When does it arrive?',
          'How long is it from 9:15 to 17:40?',
          'Compound interest on 1000 at 5% per year for 3 years',
          'What is the simple interest on 2500 at 4% for 3 years?'
        ],
        level: 'competent'
      }
    ],
    // graph.read: an exchange rate the request does not give is looked up in the room's graph.
    tools: ['graph.read'],
    limits: { timeoutMs: 5000, maxConcurrentTasks: 4 }
  },

  summariser: {
    manifestVersion: 1,
    id: 'summariser',
    name: 'Summariser',
    description: 'Writes extractive summaries: picks the most central, least redundant sentences of a text and keeps them in their original order. Counts the words, characters and letters of a text; sorts, reverses, dedupes and changes the case of words and lists.',
    version: VERSION,
    author: AUTHOR,
    skills: [
      {
        id: 'text.summarise',
        name: 'Summarise text',
        description: 'Summarises an article, report, document, email, transcript or notes by extracting its key sentences, the main points that best represent the whole text without repeating each other. The length is a number of sentences or a share of the original.',
        tags: ['summary', 'text', 'writing'],
        examples: [
          'Summarise this article in three sentences',
          'Give me the gist of this report',
          'TL;DR of this long blog post',
          'What are the key points of this document?',
          'Condense these meeting notes into a short summary',
          'Shorten this text to about a fifth of its length',
          'Write a brief overview of this paper',
          'Extract the main ideas from this email thread',
          'Boil this transcript down to its most important sentences'
        ],
        level: 'competent'
      },
      {
        id: 'text.key-sentences',
        name: 'Key sentence extraction',
        description: 'Finds the sentences that carry the central ideas of a text and the highlights worth quoting, ranked by how representative they are.',
        tags: ['extraction', 'text', 'highlights'],
        examples: [
          'Pick the most important sentences from this text',
          'Highlight the sentences that matter in this press release',
          'Which lines of this essay capture its argument?',
          'Pull out the key quotes from this interview',
          'Find the central claims in this passage',
          'Select the two most representative sentences of these notes'
        ],
        level: 'competent'
      },
      {
        id: 'text.count',
        name: 'Count words and letters',
        description: 'Counts the words, characters, letters, sentences, lines, paragraphs, vowels or digits of a text or a word, and how often a letter or a word occurs in it; gives the reading time of a text.',
        tags: ['count', 'text', 'words'],
        examples: [
          'Count the words in this paragraph: ...',
          'Count the characters in "hello world"',
          "Count the r's in strawberry",
          'Count how often the word relay appears in this note: ...',
          'Word count of this essay: ...',
          'Number of sentences in this text: ...',
          'Count the letters of the word Mississippi'
        ],
        level: 'expert'
      },
      {
        id: 'text.transform',
        name: 'Sort, reverse, rewrite and pick out text',
        description: 'Sorts words, names or lines alphabetically or by length, reverses a word or the order of a list, changes text to upper, lower or title case, removes duplicate items, tells whether a word or phrase is a palindrome, and extracts the email addresses, links, phone numbers, numbers, hashtags or mentions in a text.',
        tags: ['sort', 'reverse', 'case', 'extract', 'text'],
        examples: [
          'Sort these words alphabetically: pear, apple, mango',
          "Reverse the word 'meshwork'",
          'Spell level backwards',
          'Convert this to upper case: hello world',
          'Title case: the lord of the rings',
          'Remove the duplicates from this list: a, b, a',
          'Is racecar a palindrome?',
          'Extract the email addresses from: contact bob@example.com or alice@test.org'
        ],
        level: 'expert'
      }
    ],
    limits: { timeoutMs: 20000, maxConcurrentTasks: 2 }
  },

  researcher: {
    manifestVersion: 1,
    id: 'researcher',
    name: 'Researcher',
    description: 'Answers questions from the room\'s knowledge graph, citing the entities the answer rests on, and says so when the graph knows nothing relevant.',
    version: VERSION,
    author: AUTHOR,
    skills: [
      {
        id: 'graph.answer',
        name: 'Answer from the knowledge graph',
        description: 'Answers a question using the facts, decisions and solutions recorded in the shared knowledge graph, preferring verified and confident entries, and cites each entity it relies on. Does not invent answers: reports when nothing relevant is known.',
        tags: ['research', 'question-answering', 'knowledge-graph'],
        examples: [
          'What do we know about the relay outage?',
          'Which database did the team decide to use?',
          'Who maintains the libp2p transport?',
          'What is the capital of Australia according to our notes?',
          'Look up what the graph says about CRDT performance',
          'Has anyone verified the benchmark results?',
          'Find facts about the Q3 budget',
          'What was the solution to the login bug?',
          'Answer with sources: why did the build fail last week?',
          'Research what is known about WebRTC connection failures'
        ],
        level: 'competent'
      },
      {
        id: 'graph.record',
        name: 'Record what you tell the room',
        description: 'Records a statement a person tells the room (a fact, a figure, a decision, news) in the shared knowledge graph, where it stays a hypothesis until verifiers on other peers check it, and says whether the graph already agrees, says otherwise, or had nothing on it.',
        tags: ['knowledge-graph', 'record', 'note'],
        examples: [
          'Remember that the relay runs on port 9090',
          'Note: the staging server moved to eu-west-1',
          'FYI the beta launches on March 3, 2027',
          'For the record, we chose PostgreSQL for user accounts',
          'Keep in mind that the API allows 100 requests per minute',
          'Just so you know, the design review moved to Thursday'
        ],
        level: 'competent'
      },
      {
        id: 'graph.lookup',
        name: 'Find related knowledge',
        description: 'Searches the knowledge graph for entities related to a topic and lists them with their status and confidence: facts, hypotheses, open questions, conflicts and decisions.',
        tags: ['search', 'knowledge-graph', 'lookup'],
        examples: [
          'List everything related to the pricing model',
          'Search our knowledge base for notes on onboarding',
          'What open questions are there about the API design?',
          'Show the facts and hypotheses about memory usage',
          'Are there conflicting claims about the release date?',
          'Which decisions mention the mobile app?'
        ],
        level: 'competent'
      },
      {
        id: 'mesh.status',
        name: 'Report on the mesh',
        description: 'Says what the mesh looks like from its tab now: which tabs and agents are online, what skills they offer and which agent fits a capability, which tasks are running, done or failed, and how the agents rank by reputation.',
        tags: ['mesh', 'agents', 'status'],
        examples: [
          'Which agents are online?',
          'How many peers are in this room?',
          'What can the agents do?',
          'Which agents are good at what?',
          'What tasks are running?',
          'Which agent has the best reputation?'
        ],
        level: 'expert'
      }
    ],
    tools: ['graph.read', 'mesh.read'],
    limits: { timeoutMs: 20000, maxConcurrentTasks: 2 }
  },

  'js-runner': {
    manifestVersion: 1,
    id: 'js-runner',
    name: 'JavaScript runner',
    description: 'Runs JavaScript code in an isolated QuickJS sandbox with time and memory limits and no network, returning the console output and the value of the last expression.',
    version: VERSION,
    author: AUTHOR,
    skills: [
      {
        id: 'code.run-javascript',
        name: 'Run JavaScript',
        description: 'Executes a JavaScript program or snippet and reports what it printed with console.log and the value of its last expression as JSON. Sandboxed: no network, no DOM, no file system; bounded time and memory.',
        tags: ['javascript', 'code', 'execute'],
        examples: [
          'Run this JavaScript: [1, 2, 3].map(x => x * 2)',
          'Execute this JS snippet and tell me what it prints',
          'What does this code output? ```js\nconsole.log(typeof null)\n```',
          'Evaluate this JavaScript function with the input 10',
          'Test whether this regular expression matches "2024-01-31"',
          'Run my script and show the console log',
          'Check what JSON.stringify returns for this object',
          'Compute the first 20 Fibonacci numbers with a JavaScript loop'
        ],
        level: 'expert'
      },
      {
        id: 'code.compute-with-program',
        name: 'Compute with a program',
        description: 'Solves data-processing and algorithmic tasks by running a small program: sorting and filtering lists, transforming JSON, string manipulation, counting, simulations, generating sequences.',
        tags: ['programming', 'algorithms', 'data'],
        examples: [
          'Sort this JSON array of users by age with code',
          'Count the words in this string using JavaScript',
          'Write and run a program that lists the primes below 100',
          'Transform this JSON into a list of names',
          'Reverse every word in this sentence programmatically',
          'Simulate 1000 dice rolls and count the sixes'
        ],
        level: 'competent'
      }
    ],
    limits: { timeoutMs: 10000, maxConcurrentTasks: 2 }
  },

  verifier: {
    manifestVersion: 1,
    id: 'verifier',
    name: 'Verifier',
    description: 'Checks claims against the room\'s knowledge graph and re-computes arithmetic, voting support, dispute or abstain with a confidence and the evidence.',
    version: VERSION,
    author: AUTHOR,
    skills: [
      {
        id: 'claim.verify',
        name: 'Verify a claim',
        description: 'Fact-checks a statement: looks for verified facts in the knowledge graph that support or contradict it (negation, opposite meaning, different numbers) and votes support, dispute or abstain with a confidence and the evidence.',
        tags: ['verification', 'fact-check', 'knowledge-graph'],
        examples: [
          'Verify this claim: the relay runs on port 9090',
          'Is it true that the team chose PostgreSQL?',
          'Fact-check: the API supports pagination',
          'Check whether this statement is supported by our notes',
          'Does the graph contradict the claim that the release is on Friday?',
          'Confirm or dispute: the benchmark reached 10k messages per second',
          'Is this hypothesis consistent with what we know?',
          'Validate this answer against the verified facts'
        ],
        level: 'competent'
      },
      {
        id: 'claim.check-arithmetic',
        name: 'Check arithmetic claims',
        description: 'Re-computes the arithmetic in a claim such as "2 + 2 = 5" or "15% of 80 is 12" and disputes it when the numbers do not match.',
        tags: ['verification', 'math', 'arithmetic'],
        examples: [
          'Is 2 + 2 = 5 correct?',
          'Check that 17% of 2,340 is 397.8',
          'Verify: 12 * 12 = 144',
          'Is it true that 1000 / 8 equals 125?',
          'Double-check this sum: 120 + 340 + 95 = 555',
          'Confirm that 5 miles is 8.05 km'
        ],
        level: 'competent'
      }
    ],
    // spawn: a result of code is checked by running the code again in a js-runner sub-agent.
    // mesh.read: an answer about the mesh is checked against what this tab sees of it (mesh-status.ts).
    tools: ['graph.read', 'spawn', 'mesh.read'],
    limits: { timeoutMs: 20000, maxConcurrentTasks: 2, maxSubAgents: 2, maxDepth: 1 }
  },

  planner: {
    manifestVersion: 1,
    id: 'planner',
    name: 'Planner',
    description: 'Splits a multi-part request into ordered subtasks with dependencies, by rules or with the configured language model.',
    version: VERSION,
    author: AUTHOR,
    skills: [
      {
        id: 'task.plan',
        name: 'Plan and decompose tasks',
        description: 'Breaks a complex, multi-step request into smaller subtasks that other agents can do, in order, noting which step needs the result of an earlier one. Reads numbered and bulleted lists, "then", "after that", "also" and sequences of instructions.',
        tags: ['planning', 'decomposition', 'workflow'],
        examples: [
          'Find the population of France, then compute 3% of it',
          'Break this project down into steps',
          'Plan the following: research the topic, summarise the findings and verify the key claim',
          'Split this request into subtasks: 1. fetch the data 2. clean it 3. chart it',
          'Summarise the article and then translate the summary into German',
          'What steps are needed to migrate the database?',
          'Decompose this job into tasks for different agents',
          'Calculate the total cost; after that, check it against the budget',
          'Organise these to-dos into a plan with dependencies'
        ],
        level: 'competent'
      }
    ],
    tools: ['llm'],
    limits: { timeoutMs: 30000, maxConcurrentTasks: 2 }
  },

  llm: {
    manifestVersion: 1,
    id: 'llm',
    name: 'Language model',
    description: 'Answers open-ended requests with the OpenAI-compatible language model endpoint the person configured (Ollama, LM Studio, llama.cpp server or a hosted API).',
    version: VERSION,
    author: AUTHOR,
    skills: [
      {
        id: 'llm.chat',
        name: 'General questions and writing',
        description: 'Answers general questions, explains concepts, writes and rewrites text, drafts emails, brainstorms ideas, translates between languages and reasons about open-ended problems with a large language model.',
        tags: ['llm', 'chat', 'writing'],
        examples: [
          'Explain how public-key cryptography works',
          'Write a polite email declining the meeting',
          'Translate this paragraph into Spanish',
          'Brainstorm names for a note-taking app',
          'Rewrite this sentence to sound more formal',
          'What are the pros and cons of microservices?',
          'Tell me a joke about cats',
          'Draft a short product description for a standing desk',
          'Suggest a good novel to read this summer',
          'Help me phrase this feedback kindly'
        ],
        level: 'competent'
      },
      {
        id: 'llm.code-help',
        name: 'Programming help',
        description: 'Explains, reviews and writes source code in any programming language, finds bugs and suggests fixes, with a large language model.',
        tags: ['code', 'llm', 'programming'],
        examples: [
          'Why does my TypeScript build fail with this type error?',
          'Review this Python function for bugs',
          'Write a SQL query that counts orders per customer',
          'Refactor this Java class to be easier to test',
          'Explain what this regular expression does',
          'Fix the null pointer exception in this code'
        ],
        level: 'competent'
      }
    ],
    tools: ['llm'],
    limits: { timeoutMs: 120000, maxConcurrentTasks: 2 }
  }
}
