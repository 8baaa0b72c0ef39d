/**
 * The weather half of the example: Seattle's daily weather 2012–2015 (`seattle-weather.csv`, shipped
 * in the vega-datasets package), one partition per day, features over the 7 days before each day, and
 * a rain classifier trained on every day's features. Plain functions, no Rivers imports.
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

import type { LabeledData } from '../ml/features.js'

/** One day of the dataset. */
export interface WeatherDay {
  date: string
  precipitation: number
  tempMax: number
  tempMin: number
  wind: number
  /** `rain`, `sun`, `drizzle`, `snow` or `fog`. */
  weather: string
}

/** Features of one day: means over the 7 days before it, and whether it rained that day. */
export interface DayFeatures {
  date: string
  /** Mean precipitation, max and min temperature and wind over the previous days; null without 7 of them. */
  x: number[] | null
  rain: boolean
}

/** Names of the features, in the order of `DayFeatures.x`. */
export const WEATHER_FEATURES = ['precipitation7d', 'tempMax7d', 'tempMin7d', 'wind7d', 'rainyDays7d'] as const

/** Absolute path of `seattle-weather.csv` inside the installed `vega-datasets`. */
export function weatherCsvPath(): string {
  const entry = createRequire(import.meta.url).resolve('vega-datasets')
  for (let dir = dirname(entry); ; dir = dirname(dir)) {
    const candidate = join(dir, 'data', 'seattle-weather.csv')
    if (existsSync(candidate)) return candidate
    if (dirname(dir) === dir) throw new Error(`seattle-weather.csv not found above ${entry}`)
  }
}

/** Parses the CSV (header `date,precipitation,temp_max,temp_min,wind,weather`) into days by date. */
export function parseWeather(bytes: Uint8Array): Map<string, WeatherDay> {
  const [header, ...lines] = Buffer.from(bytes).toString('utf8').trim().split('\n')
  if (header?.trim() !== 'date,precipitation,temp_max,temp_min,wind,weather')
    throw new Error(`unexpected header in seattle-weather.csv: ${header}`)
  const days = new Map<string, WeatherDay>()
  for (const line of lines) {
    const [date, precipitation, tempMax, tempMin, wind, weather] = line.trim().split(',')
    if (date === undefined || weather === undefined) throw new Error(`malformed line in seattle-weather.csv: ${line}`)
    days.set(date, {
      date,
      precipitation: Number(precipitation),
      tempMax: Number(tempMax),
      tempMin: Number(tempMin),
      wind: Number(wind),
      weather,
    })
  }
  return days
}

/**
 * One day of the CSV, found without parsing the rest (a daily partition reads one line of the file);
 * undefined when the file has no row for `date`.
 */
export function weatherDay(bytes: Uint8Array, date: string): WeatherDay | undefined {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
  const at = text.indexOf(`\n${date},`)
  if (at < 0) return undefined
  const end = text.indexOf('\n', at + 1)
  const line = text.slice(at + 1, end < 0 ? undefined : end)
  return parseWeather(Buffer.from(`date,precipitation,temp_max,temp_min,wind,weather\n${line}`)).get(date)
}

/** The features of `today` from the days before it (null features with fewer than 7 of them). */
export function dayFeatures(today: WeatherDay, past: readonly WeatherDay[]): DayFeatures {
  const rain = today.weather === 'rain'
  if (past.length < 7) return { date: today.date, x: null, rain }
  const mean = (f: (d: WeatherDay) => number): number => past.reduce((s, d) => s + f(d), 0) / past.length
  return {
    date: today.date,
    x: [
      mean((d) => d.precipitation),
      mean((d) => d.tempMax),
      mean((d) => d.tempMin),
      mean((d) => d.wind),
      past.filter((d) => d.weather === 'rain').length,
    ],
    rain,
  }
}

/**
 * Standardized train and test sets from the days with features: days before `testFrom` train, the
 * others test; the scaler is fitted on the training days only.
 */
export function weatherSets(days: readonly DayFeatures[], testFrom: string): { train: LabeledData; test: LabeledData } {
  const usable = days.filter((d): d is DayFeatures & { x: number[] } => d.x !== null)
  const train = usable.filter((d) => d.date < testFrom)
  const test = usable.filter((d) => d.date >= testFrom)
  if (train.length === 0 || test.length === 0)
    throw new Error(`need days with features on both sides of ${testFrom} (train ${train.length}, test ${test.length})`)
  const n = WEATHER_FEATURES.length
  const mean = Array.from({ length: n }, (_, j) => train.reduce((s, d) => s + d.x[j]!, 0) / train.length)
  const std = Array.from({ length: n }, (_, j) => {
    const v = train.reduce((s, d) => s + (d.x[j]! - mean[j]!) ** 2, 0) / train.length
    return Math.sqrt(v) || 1
  })
  const data = (rows: typeof usable): LabeledData => ({
    featureNames: [...WEATHER_FEATURES],
    X: rows.map((d) => d.x.map((v, j) => (v - mean[j]!) / std[j]!)),
    y: rows.map((d) => (d.rain ? 1 : 0)),
  })
  return { train: data(train), test: data(test) }
}
