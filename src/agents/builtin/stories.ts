/**
 * Stories the calculator reads whole: a word problem (followed or not, so the person hears why),
 * a question of distance, time or speed, a price changed by percentages, or a question about
 * measured quantities (which of two is heavier; a quantity every day over weeks), or a money story
 * (a bill split, savings over time, what is left, how many a sum buys, revenue from paying users), or pay over time. The planner keeps them
 * one task and the calculator bids on them (src/app/coord-boot.ts); pattern readers only, no mathjs.
 */
import { tellsPriceStory } from './price-story.ts'
import { tellsTravel } from './travel.ts'
import { tellsWordProblem } from './word-problems.ts'
import { tellsMeasureQuestion } from './measures.ts'
import { tellsMoneyStory } from './money.ts'
import { tellsPay } from './pay.ts'
import { revenueOfPayers } from './revenue.ts'

export function tellsCalculatorStory (text: string): boolean {
  return tellsWordProblem(text) || tellsTravel(text) || tellsPriceStory(text) || tellsMeasureQuestion(text) || tellsMoneyStory(text) || revenueOfPayers(text) !== undefined || tellsPay(text)
}
