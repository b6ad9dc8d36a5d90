/**
 * SDMX-CSV statistics files (`sdmx-csv`) of the Central American centres of excellence ⇄
 * `StatisticsReport` events. Pure: no I/O, no clock, no randomness (the conformance kit checks
 * the imports).
 *
 * Wire: one SDMX-CSV 1.0 file per report, UTF-8 (a leading BOM is ignored), comma-separated,
 * RFC 4180 quoting, CRLF or LF line ends (FORMAT.md for people, sdmx.ts for the structure):
 *
 *   DATAFLOW,REF_AREA,TIME_PERIOD,ICCS,CJ_STAGE,MEASURE,OBS_VALUE[,other dimensions][,attributes]
 *   COMITY:CJ_COOPERATION(1.0),GT,2025-Q3,0601,PROSECUTION,COUNT,42,…
 *
 * The header names the columns (any order after DATAFLOW); each further row is one
 * observation. One file ⇄ one `StatisticsReport` (subject `central-america-coe:<report id>`,
 * the id from REPORT_ID, else `<period>-<first 16 hex digits of the file's SHA-256>`), one
 * reference period per file. Every other event type has no SDMX-CSV form: encode returns null.
 *
 * Decode refuses, each with a stable code and the place (`line 12, column ICCS`): the wrong
 * content type, empty, too large or not UTF-8 files, a delimiter other than the comma, SDMX-CSV
 * 2.0, broken CSV, too many rows or columns, missing or unknown header columns, cells that a
 * spreadsheet would run as formulas (CSV_INJECTION), control and invisible characters, codes
 * outside the code lists (ISO 3166-1, ICCS, the structure's own), impossible numbers, mixed
 * periods, repeated observations and report attributes that change from row to row.
 *
 * Round trip: what the file holds without a canonical field — its column order, attributes such
 * as OBS_STATUS and COMMENT, extra columns — travels in the event's extensions
 * (`central-america-coe.columns`, `central-america-coe.attr.<COLUMN>`), so encode(decode(file))
 * is the same table again (`normalize`: parsed cells, OBS_VALUE compared as a number). Encode
 * checks the file it writes with the same rules decode applies, so Comity never writes a file
 * it would refuse.
 */
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { EventBody } from '../../core/events/bodies.js';
import { Classification, type Event } from '../../core/gen/comity/v1/event.js';
import { RequestType } from '../../core/gen/comity/v1/request.js';
import {
  DurationInterval,
  FlowDirection,
  Observation,
  StatisticMeasure,
  StatisticOutcome,
  StatisticsReport,
  StatisticsSource,
  type CriminalJusticeStage,
} from '../../core/gen/comity/v1/stats.js';
import { iccsEntry, isIccsCode } from '../../core/reference/iccs.js';
import type { Codec, EventDraft, NativeMessage } from '../sdk/contract.js';
import { DecodeError, EncodeError } from '../sdk/errors.js';
import { decodeUtf8 } from '../sdk/text.js';
import { isCountryCode } from '../../core/reference/iso3166.js';
import {
  CJ_STAGE,
  COLUMN_ID,
  CRIME_MEASURES,
  DATAFLOW,
  DIMENSIONS,
  FLOW,
  FLOW_DIMENSIONS,
  INTERVAL,
  KNOWN_COLUMNS,
  MAX_COUNT,
  MAX_DAYS,
  MEASURE,
  MEASURE_COLUMN,
  NETWORK_ID,
  NOT_APPLICABLE,
  OBSERVATION_ATTRIBUTES,
  OUTCOME,
  REPORT_ATTRIBUTES,
  REQUEST_TYPE,
  REQUIRED_COLUMNS,
  SOURCE,
  TOTAL,
  parsePeriod,
  type CodeList,
  type Period,
} from './sdmx.js';

export const NETWORK = 'central-america-coe';

/** Limits applied to every file, unless its attributes say otherwise. */
export const DEFAULT_LIMITS = { maxBytes: 5 * 1024 * 1024, maxRows: 100_000 } as const;

/** Attributes the transports set for the codec. */
export const ATTRIBUTES = {
  /** Largest file accepted, in bytes. */
  maxBytes: `${NETWORK}.maxBytes`,
  /** Most observation rows accepted. */
  maxRows: `${NETWORK}.maxRows`,
  /** Size of the file as received, when the transport passes on only its beginning. */
  receivedBytes: `${NETWORK}.receivedBytes`,
  /** SHA-256 of the file as received, in that case. */
  receivedSha256: `${NETWORK}.receivedSha256`,
  /** Name of the file (inbox) or upload; for people reading dead letters, never for decoding. */
  fileName: `${NETWORK}.fileName`,
  /** On outbound messages: the report id and revision, from which the transport names the file. */
  reportId: `${NETWORK}.reportId`,
  revision: `${NETWORK}.revision`,
} as const;

/** Extension keys on events (`central-america-coe.<name>`). */
export const EXTENSIONS = {
  /** The file's header, comma-separated, when it is not the one encode would write. */
  columns: `${NETWORK}.columns`,
  /** `attr.<COLUMN>`: the column's value on each row, as a JSON array of strings. */
  attributePrefix: `${NETWORK}.attr.`,
} as const;

/** Longest cell accepted (a COMMENT is a footnote, not a document). */
const MAX_CELL_CHARS = 1000;
/** Most columns accepted. */
const MAX_COLUMNS = 48;
/** Largest single CSV record, so that a file of one enormous line is refused early. */
const MAX_RECORD_BYTES = 64 * 1024;

// ---- Reading the table: bytes → header and rows, with their line numbers -----------------

interface Row {
  /** Line of the file where the row starts (the header is line 1). */
  readonly line: number;
  readonly cells: readonly string[];
}

interface Table {
  readonly header: readonly string[];
  readonly rows: readonly Row[];
}

interface Limits {
  /** Bytes; Infinity for none. */
  readonly maxBytes: number;
  /** Observation rows; Infinity for none. */
  readonly maxRows: number;
}

const NO_LIMITS: Limits = { maxBytes: Number.POSITIVE_INFINITY, maxRows: Number.POSITIVE_INFINITY };

function readTable(body: Buffer, limits: Limits, declaredBytes = 0): Table {
  if (body.length === 0) throw new DecodeError('EMPTY_FILE', 'the file is empty', 'byte 0');
  const size = Math.max(body.length, declaredBytes);
  if (size > limits.maxBytes) {
    throw new DecodeError('TOO_LARGE', `the file has ${size} bytes; the limit is ${limits.maxBytes}`, `byte ${limits.maxBytes}`);
  }
  if (body.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
    throw new DecodeError('NOT_SDMX_CSV', 'the file is a ZIP archive (an .xlsx workbook?), not CSV: save it as "CSV UTF-8"', 'byte 0');
  }
  const utf8 = decodeUtf8(body);
  if (!utf8.ok) {
    const line = lineAtByte(body, utf8.invalidAt);
    throw new DecodeError('NOT_UTF8', 'the file is not valid UTF-8 (save it as "CSV UTF-8")', `line ${line}, byte ${utf8.invalidAt}`);
  }
  let text = utf8.text;
  if (text.startsWith('\ufeff')) text = text.slice(1);
  if (text.trim() === '') throw new DecodeError('EMPTY_FILE', 'the file has no header and no rows', 'line 1');
  const nul = text.indexOf('\u0000');
  if (nul !== -1 && nul < 64) {
    throw new DecodeError('NOT_UTF8', 'the file looks like UTF-16 (it has NUL bytes): save it as "CSV UTF-8"', `line ${lineAtByte(body, nul)}`);
  }
  const loneCarriageReturn = /\r(?!\n)/.exec(text);
  if (loneCarriageReturn) {
    throw new DecodeError('MALFORMED_CSV', 'a line ends with a lone carriage return (CR): end lines with CRLF or LF', `line ${countLineBreaks(text.slice(0, loneCarriageReturn.index)) + 1}`);
  }
  checkFirstLine(text);

  let lastRecordLine = 0;
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      delimiter: ',',
      quote: '"',
      escape: '"',
      record_delimiter: ['\r\n', '\n'],
      skip_empty_lines: true,
      relax_column_count: false,
      relax_quotes: false,
      max_record_size: MAX_RECORD_BYTES,
      // The header, the rows allowed, and one more to know there are too many.
      to: Number.isFinite(limits.maxRows) ? limits.maxRows + 2 : -1,
      info: true,
      on_record: (record, context) => {
        lastRecordLine = context.lines;
        return record;
      },
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    throw csvFailure(error, lastRecordLine);
  }
  const rows: Row[] = records.map(({ record, info }) => ({
    // csv-parse gives the line a record ends on; a quoted line break moves it down.
    line: info.lines - record.reduce((breaks, cell) => breaks + countLineBreaks(cell), 0),
    cells: record,
  }));
  const [header, ...data] = rows;
  if (!header) throw new DecodeError('EMPTY_FILE', 'the file has no header and no rows', 'line 1');
  if (data.length > limits.maxRows) {
    throw new DecodeError('TOO_MANY_ROWS', `the file has more than ${limits.maxRows} observation rows`, `line ${data[limits.maxRows]?.line ?? 0}`);
  }
  return { header: checkHeader(header), rows: data };
}

/** The first line must start with the DATAFLOW column followed by a comma (SDMX-CSV 1.0). */
function checkFirstLine(text: string): void {
  const end = text.indexOf('\n');
  const line = (end === -1 ? text : text.slice(0, end)).replace(/\r$/, '');
  const match = /^"?(DATAFLOW|STRUCTURE)(?:\[[^\]]*\])?"?(.)?/.exec(line);
  if (match?.[1] === 'STRUCTURE') {
    throw new DecodeError(
      'UNSUPPORTED_SDMX_CSV_VERSION',
      'the file is SDMX-CSV 2.0 (first column STRUCTURE); Comity reads SDMX-CSV 1.0, whose first column is DATAFLOW',
      'line 1, column 1',
    );
  }
  if (!match) {
    const hint = /^sep=/i.test(line) ? ' (remove the "sep=" line a spreadsheet added)' : '';
    throw new DecodeError('NOT_SDMX_CSV', `the first column must be DATAFLOW (SDMX-CSV 1.0); the file starts with ${show(line)}${hint}`, 'line 1, column 1');
  }
  const separator = match[2];
  if (separator === undefined || separator === ',') return;
  const names: Record<string, string> = { ';': 'semicolons', '\t': 'tabs', '|': 'vertical bars' };
  const name = names[separator];
  if (name) {
    throw new DecodeError('WRONG_DELIMITER', `the file separates values with ${name}; SDMX-CSV files for Comity separate them with commas`, 'line 1, column 1');
  }
  throw new DecodeError('NOT_SDMX_CSV', `the first column must be DATAFLOW (SDMX-CSV 1.0); the file starts with ${show(line)}`, 'line 1, column 1');
}

function csvFailure(error: unknown, lastRecordLine: number): DecodeError {
  const { code, lines, record } = error as { code?: unknown; lines?: unknown; record?: unknown };
  const line = typeof lines === 'number' ? lines : lastRecordLine + 1;
  const options = { cause: error };
  switch (code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH': {
      const fields = Array.isArray(record) ? record.length : undefined;
      const semicolons = Array.isArray(record) && record.length === 1 && String(record[0]).includes(';');
      return semicolons
        ? new DecodeError('WRONG_DELIMITER', 'the row separates values with semicolons; SDMX-CSV files for Comity separate them with commas', `line ${line}`, options)
        : new DecodeError('WRONG_FIELD_COUNT', `the row has ${fields ?? 'a different number of'} fields, not as many as the header`, `line ${line}`, options);
    }
    case 'CSV_MAX_RECORD_SIZE':
      return new DecodeError('RECORD_TOO_LARGE', `a row is longer than ${MAX_RECORD_BYTES} bytes`, `line ${line}`, options);
    case 'CSV_QUOTE_NOT_CLOSED':
      return new DecodeError('MALFORMED_CSV', 'a quoted value is never closed (a lone " opens a quoted value that runs to the end of the file)', `line ${lastRecordLine + 1}`, options);
    case 'INVALID_OPENING_QUOTE':
      return new DecodeError('MALFORMED_CSV', 'a quote inside an unquoted value: quote the whole value and double the quotes inside it (RFC 4180)', `line ${line}`, options);
    case 'CSV_INVALID_CLOSING_QUOTE':
      return new DecodeError('MALFORMED_CSV', 'text after the closing quote of a value: a quoted value must end at a comma or at the end of the line', `line ${line}`, options);
    default:
      return new DecodeError('MALFORMED_CSV', `the file is not valid CSV (RFC 4180)${typeof code === 'string' ? ` [${code}]` : ''}`, `line ${line}`, options);
  }
}

function checkHeader(row: Row): string[] {
  const header = [...row.cells];
  if (header.length > MAX_COLUMNS) {
    throw new DecodeError('TOO_MANY_COLUMNS', `the header has ${header.length} columns; at most ${MAX_COLUMNS} are accepted`, 'line 1');
  }
  const seen = new Set<string>();
  header.forEach((name, index) => {
    const at = `line 1, column ${index + 1}`;
    checkCell(name, at);
    if (!COLUMN_ID.test(name)) {
      throw new DecodeError('INVALID_HEADER', `${show(name)} is not a column id (capital letters, digits and _, as SDMX writes component ids)`, at);
    }
    if (seen.has(name)) throw new DecodeError('DUPLICATE_COLUMN', `the column ${name} appears twice`, at);
    seen.add(name);
  });
  for (const required of REQUIRED_COLUMNS) {
    if (!seen.has(required)) throw new DecodeError('MISSING_COLUMN', `the header has no ${required} column`, 'line 1');
  }
  return header;
}

/** Cells a spreadsheet would evaluate: starting (after blanks) with = + - @, a tab or CR, and not a number. */
function isFormula(value: string): boolean {
  const start = value.replace(/^[ \u00a0]+/, '');
  return /^[=+\-@\t\r]/.test(start) && !/^[+-]?\d+(\.\d+)?$/.test(start);
}

/** Control characters, and invisible ones that change how text reads (bidi overrides, zero-width). */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const HIDDEN_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]/u;

function checkCell(value: string, at: string): void {
  if (isFormula(value)) {
    throw new DecodeError('CSV_INJECTION', `${show(value)} would run as a formula in a spreadsheet; values may not start with =, +, -, @, a tab or a carriage return unless they are numbers`, at);
  }
  const hidden = HIDDEN_CHARACTER.exec(value);
  if (hidden) {
    const codePoint = `U+${(hidden[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
    const what = hidden[0] === '\n' || hidden[0] === '\r' ? 'a line break' : `the control or invisible character ${codePoint}`;
    throw new DecodeError('CONTROL_CHARACTER', `the value contains ${what}`, at);
  }
  if (value.length > MAX_CELL_CHARS) {
    throw new DecodeError('CELL_TOO_LONG', `the value has ${value.length} characters; at most ${MAX_CELL_CHARS} are accepted`, at);
  }
}

// ---- Reading the report: rows → observations, checked against the structure -------------

/** `centre`: a file from a centre (reporter and source must be the centre's); `outbound`: a file Comity writes. */
type Origin = 'centre' | 'outbound';

interface ParsedReport {
  readonly reportId?: string;
  readonly revision: number;
  readonly reporter?: string;
  readonly source?: StatisticsSource;
  readonly suppressionThreshold: number;
  readonly methodologyUri: string;
  readonly generatedAt?: Date;
  readonly period: Period;
  readonly observations: Observation[];
  /** Values of the columns that have no canonical field, by column. */
  readonly attributeColumns: ReadonlyMap<string, string[]>;
  /** CONF_STATUS as written, when the column is there. */
  readonly confStatus?: string[];
}

function readReport(table: Table, origin: Origin): ParsedReport {
  const { header, rows } = table;
  if (rows.length === 0) throw new DecodeError('NO_OBSERVATIONS', 'the file has a header but no observation rows', 'line 2');
  const columnIndex = new Map(header.map((name, index) => [name, index]));
  // Columns without a canonical field: the structure's observation attributes but CONF_STATUS, and extra columns.
  const attributeNames = header.filter((name) => !KNOWN_COLUMNS.includes(name) || ((OBSERVATION_ATTRIBUTES as readonly string[]).includes(name) && name !== 'CONF_STATUS'));
  const attributeColumns = new Map<string, string[]>(attributeNames.map((name) => [name, []]));
  const confStatus: string[] | undefined = columnIndex.has('CONF_STATUS') ? [] : undefined;
  const reportValues = new Map<string, { value: string; line: number }>();
  const keys = new Map<string, number>();
  const observations: Observation[] = [];
  let period: Period | undefined;
  let threshold = 0;

  for (const row of rows) {
    const at = (column: string) => `line ${row.line}, column ${column}`;
    row.cells.forEach((value, index) => checkCell(value, at(header[index] ?? String(index + 1))));
    const cell = (column: string): string | undefined => {
      const index = columnIndex.get(column);
      return index === undefined ? undefined : row.cells[index];
    };

    // Report attributes: the same on every row.
    for (const name of REPORT_ATTRIBUTES) {
      const value = cell(name);
      if (value === undefined) continue;
      const first = reportValues.get(name);
      if (first === undefined) reportValues.set(name, { value, line: row.line });
      else if (first.value !== value) {
        throw new DecodeError('INCONSISTENT_ATTRIBUTE', `${name} is ${show(value)} here but ${show(first.value)} on line ${first.line}; a report attribute has one value for the whole file`, at(name));
      }
    }
    if (row === rows[0]) threshold = readReportAttributes(reportValues, origin, row.line).suppressionThreshold;

    if (cell('DATAFLOW') !== DATAFLOW) {
      throw new DecodeError('UNKNOWN_DATAFLOW', `the dataflow is ${show(cell('DATAFLOW') ?? '')}; this adapter reads ${DATAFLOW}`, at('DATAFLOW'));
    }
    const timePeriod = cell('TIME_PERIOD') as string;
    if (period === undefined) {
      period = parsePeriod(timePeriod);
      if (!period) {
        throw new DecodeError('INVALID_PERIOD', `${show(timePeriod)} is not a reference period (2025, 2025-S1, 2025-Q3, 2025-07 or 2025-W27; years 1900 to 2099)`, at('TIME_PERIOD'));
      }
    } else if (timePeriod !== period.text) {
      throw new DecodeError('MIXED_PERIODS', `the period is ${show(timePeriod)} here but ${show(period.text)} on line ${rows[0]?.line}; one file holds one reference period`, at('TIME_PERIOD'));
    }

    const observation = readObservation(cell, at, threshold);
    const key = DIMENSIONS.map((dimension) => cell(dimension) ?? '').join('\u0000');
    const earlier = keys.get(key);
    if (earlier !== undefined) {
      throw new DecodeError('DUPLICATE_OBSERVATION', `the row repeats the dimensions of line ${earlier}; each observation appears once`, `line ${row.line}`);
    }
    keys.set(key, row.line);
    observations.push(observation);
    for (const name of attributeNames) attributeColumns.get(name)?.push(readAttribute(name, cell(name) as string, at(name)));
    confStatus?.push(cell('CONF_STATUS') as string);
  }

  const attributes = readReportAttributes(reportValues, origin, rows[0]?.line ?? 2);
  return { ...attributes, period: period as Period, observations, attributeColumns, confStatus };
}

type Cell = (column: string) => string | undefined;

function readObservation(cell: Cell, at: (column: string) => string, threshold: number): Observation {
  const country = (column: string): string => {
    const value = cell(column) ?? TOTAL;
    if (value === TOTAL) return '';
    if (!isCountryCode(value)) throw new DecodeError('UNKNOWN_COUNTRY', `${show(value)} is not an ISO 3166-1 alpha-2 country code (or _T)`, at(column));
    return value;
  };
  const network = (column: string): string => {
    const value = cell(column) ?? TOTAL;
    if (value === TOTAL) return '';
    if (!NETWORK_ID.test(value)) throw new DecodeError('UNKNOWN_CODE', `${show(value)} is not a network id (or _T)`, at(column));
    return value;
  };
  const coded = <E extends number>(list: CodeList<E>, code = 'UNKNOWN_CODE', fallback: string = TOTAL): E => {
    const value = cell(list.column) ?? fallback;
    const known = list.valueOf(value);
    if (known === undefined) {
      throw new DecodeError(code, `${show(value)} is not in the ${list.column} code list (${list.codes.join(', ')})${hintFor(list.column, value)}`, at(list.column));
    }
    return known;
  };

  const reportingCountry = country('REF_AREA');
  const counterpartCountry = country('COUNTERPART_AREA');
  if (reportingCountry && reportingCountry === counterpartCountry) {
    throw new DecodeError('SAME_COUNTRY', `the counterpart country is the reporting country (${reportingCountry}); cooperation is between two States`, at('COUNTERPART_AREA'));
  }
  const direction: FlowDirection = coded(FLOW);
  const originNetwork = network('ORIGIN_NETWORK');
  const destinationNetwork = network('DEST_NETWORK');
  const requestType: RequestType = coded(REQUEST_TYPE);
  const iccsCode = readIccs(cell('ICCS') as string, at('ICCS'));
  const stage: CriminalJusticeStage = coded(CJ_STAGE, 'UNKNOWN_STAGE');
  const outcome: StatisticOutcome = coded(OUTCOME);
  const measure: StatisticMeasure = coded(MEASURE, 'UNKNOWN_MEASURE');
  const interval: DurationInterval = coded(INTERVAL, 'UNKNOWN_CODE', NOT_APPLICABLE);
  const isCrime = CRIME_MEASURES.has(measure);
  const isCount = measure === StatisticMeasure.STATISTIC_MEASURE_COUNT || isCrime;
  if (isCrime) {
    const flowing = FLOW_DIMENSIONS.find((column) => (cell(column) ?? TOTAL) !== TOTAL);
    if (flowing) {
      throw new DecodeError(
        'CRIME_MEASURE_WITH_FLOW',
        `${MEASURE.codeOf(measure)} counts a country's own criminal justice system, not a flow between States: ${flowing} must be ${TOTAL} (or left out)`,
        at(flowing),
      );
    }
  }
  if (isCount && interval !== DurationInterval.DURATION_INTERVAL_UNSPECIFIED) {
    throw new DecodeError('INVALID_INTERVAL', `a COUNT has no interval: INTERVAL must be ${NOT_APPLICABLE}`, at('INTERVAL'));
  }
  if (!isCount && interval === DurationInterval.DURATION_INTERVAL_UNSPECIFIED) {
    throw new DecodeError('INVALID_INTERVAL', `a duration (${MEASURE.codeOf(measure)}) needs an INTERVAL: ${INTERVAL.codes.filter((code) => code !== NOT_APPLICABLE).join(', ')}`, at('INTERVAL'));
  }

  const conf = cell('CONF_STATUS') ?? '';
  if (conf !== '' && conf !== 'F' && conf !== 'C') {
    throw new DecodeError(
      'INVALID_ATTRIBUTE',
      `CONF_STATUS ${show(conf)} is not accepted: F (free) or empty for published values, C (confidential) for a value withheld; Comity shares what it receives, so leave out what is not for publication`,
      at('CONF_STATUS'),
    );
  }
  const suppressed = conf === 'C';
  const raw = cell(MEASURE_COLUMN) as string;
  let value = 0;
  if (suppressed) {
    if (raw !== '') {
      throw new DecodeError('SUPPRESSED_VALUE_PRESENT', 'the observation is confidential (CONF_STATUS C) but OBS_VALUE holds a number: leave it empty, the value must not travel', at(MEASURE_COLUMN));
    }
  } else {
    value = readValue(raw, isCount, at(MEASURE_COLUMN));
    if (isCount && value > 0 && value < threshold) {
      throw new DecodeError(
        'BELOW_SUPPRESSION_THRESHOLD',
        `${value} is below the report's SUPPRESSION_THRESHOLD (${threshold}): publish it as confidential (CONF_STATUS C, OBS_VALUE empty)`,
        at(MEASURE_COLUMN),
      );
    }
  }
  return Observation.fromPartial({
    reportingCountry,
    counterpartCountry,
    direction,
    originNetwork,
    destinationNetwork,
    requestType,
    iccsCode,
    stage,
    outcome,
    measure,
    interval,
    value,
    suppressed,
  });
}

/**
 * An ICCS code Comity knows: in core/reference/iccs.ts, or a level-3 or level-4 code under a
 * level-2 category that is (the table lists levels 3 and 4 only in part). `_T`: all offences.
 */
function readIccs(value: string, at: string): string {
  if (value === TOTAL) return '';
  if (isIccsCode(value) && (iccsEntry(value) !== undefined || (value.length > 4 && iccsEntry(value.slice(0, 4)) !== undefined))) return value;
  const why = isIccsCode(value) ? 'is not in the ICCS table Comity uses (core/reference/iccs.ts)' : 'is not an ICCS code (2, 4, 5 or 6 digits, section 01 to 11)';
  throw new DecodeError('UNKNOWN_ICCS_CODE', `${show(value)} ${why}`, at);
}

function readValue(raw: string, isCount: boolean, at: string): number {
  if (raw === '') {
    throw new DecodeError('MISSING_VALUE', 'OBS_VALUE is empty: give the number, or mark a withheld value confidential (CONF_STATUS C)', at);
  }
  if (!/^-?\d+(\.\d+)?$/.test(raw)) {
    const hint = /^-?\d+,\d+$/.test(raw) ? ' (the decimal separator is a point)' : '';
    throw new DecodeError('NOT_A_NUMBER', `${show(raw)} is not a number${hint}`, at);
  }
  const value = Number(raw);
  if (raw.startsWith('-')) throw new DecodeError('NEGATIVE_VALUE', `${show(raw)} is negative; counts and durations cannot be`, at);
  const max = isCount ? MAX_COUNT : MAX_DAYS;
  if (value > max) {
    throw new DecodeError('VALUE_TOO_LARGE', `${show(raw)} is impossible: ${isCount ? `a count above ${MAX_COUNT}` : `a duration above ${MAX_DAYS} days (100 years)`}`, at);
  }
  if (isCount && !Number.isInteger(value)) throw new DecodeError('NOT_AN_INTEGER', `${show(raw)} is not a whole number; a COUNT counts requests`, at);
  return value;
}

function readAttribute(name: string, value: string, at: string): string {
  const valid =
    name === 'OBS_STATUS' ? /^[A-Z]?$/.test(value) : name === 'UNIT_MULT' ? value === '' || value === '0' : name === 'DECIMALS' ? /^(|\d|1[0-5])$/.test(value) : true;
  if (!valid) {
    const expected =
      name === 'OBS_STATUS'
        ? 'one capital letter from the SDMX observation status code list (A, E, P…)'
        : name === 'UNIT_MULT'
          ? '0 or empty: values are given in units, not thousands'
          : 'a number of decimals from 0 to 15';
    throw new DecodeError('INVALID_ATTRIBUTE', `${name} ${show(value)} is not accepted: ${expected}`, at);
  }
  return value;
}

interface ReportAttributes {
  readonly reportId?: string;
  readonly revision: number;
  readonly reporter?: string;
  readonly source?: StatisticsSource;
  readonly suppressionThreshold: number;
  readonly methodologyUri: string;
  readonly generatedAt?: Date;
}

function readReportAttributes(values: ReadonlyMap<string, { value: string; line: number }>, origin: Origin, line: number): ReportAttributes {
  const at = (column: string) => `line ${values.get(column)?.line ?? line}, column ${column}`;
  const get = (column: string, emptyAllowed = false): string | undefined => {
    const value = values.get(column)?.value;
    if (value === '' && !emptyAllowed) throw new DecodeError('MISSING_VALUE', `${column} is empty`, at(column));
    return value;
  };
  const reportId = get('REPORT_ID');
  if (reportId !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/.test(reportId)) {
    throw new DecodeError('INVALID_ATTRIBUTE', `REPORT_ID ${show(reportId)} is not an id (letters, digits and . _ : / -, at most 128)`, at('REPORT_ID'));
  }
  const integer = (column: string, max: number): number => {
    const value = get(column);
    if (value === undefined) return 0;
    if (!/^(0|[1-9]\d{0,9})$/.test(value) || Number(value) > max) {
      throw new DecodeError('INVALID_ATTRIBUTE', `${column} ${show(value)} is not a whole number from 0 to ${max}`, at(column));
    }
    return Number(value);
  };
  const revision = integer('REVISION', 1_000_000);
  const suppressionThreshold = integer('SUPPRESSION_THRESHOLD', 1000);

  const reporter = get('REPORTER');
  if (reporter !== undefined && (origin === 'centre' ? reporter !== NETWORK : !NETWORK_ID.test(reporter))) {
    throw new DecodeError(
      origin === 'centre' ? 'FOREIGN_REPORT' : 'INVALID_ATTRIBUTE',
      origin === 'centre' ? `REPORTER is ${show(reporter)}: this adapter takes the centres' own reports (${NETWORK}), not files written for them` : `REPORTER ${show(reporter)} is not a network id`,
      at('REPORTER'),
    );
  }
  const sourceCode = get('SOURCE');
  let source: StatisticsSource | undefined;
  if (sourceCode !== undefined) {
    source = SOURCE.valueOf(sourceCode);
    if (source === undefined) throw new DecodeError('UNKNOWN_CODE', `${show(sourceCode)} is not in the SOURCE code list (${SOURCE.codes.join(', ')})`, at('SOURCE'));
    if (origin === 'centre' && source !== StatisticsSource.STATISTICS_SOURCE_CENTRE_SUBMITTED) {
      throw new DecodeError('FOREIGN_REPORT', `SOURCE is ${sourceCode}: a centre's own report is CENTRE_SUBMITTED`, at('SOURCE'));
    }
  }
  const methodologyUri = get('METHODOLOGY', true) ?? '';
  if (methodologyUri !== '' && !isWebAddress(methodologyUri)) {
    throw new DecodeError('INVALID_ATTRIBUTE', `METHODOLOGY ${show(methodologyUri)} is not an http(s) address of at most 500 characters`, at('METHODOLOGY'));
  }
  const prepared = get('PREPARED', true) ?? '';
  let generatedAt: Date | undefined;
  if (prepared !== '') {
    generatedAt = new Date(prepared);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(prepared) || Number.isNaN(generatedAt.getTime()) || generatedAt.toISOString() !== prepared.replace('Z', '.000Z')) {
      throw new DecodeError('INVALID_ATTRIBUTE', `PREPARED ${show(prepared)} is not a UTC time like 2026-01-15T09:30:00Z`, at('PREPARED'));
    }
  }
  return { reportId, revision, reporter, source, suppressionThreshold, methodologyUri, generatedAt };
}

function isWebAddress(value: string): boolean {
  if (value.length > 500) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Why a code is refused, when a centre may reasonably have meant something else. */
function hintFor(column: string, value: string): string {
  if (column === 'MEASURE' && /^(OFFENCES|PERSONS|CASES|VICTIMS|PRISONERS)/.test(value)) {
    return '; crime statistics are OFFENCES_RECORDED, PERSONS_SUSPECTED, PERSONS_PROSECUTED, PERSONS_CONVICTED, PERSONS_DETAINED and VICTIMS';
  }
  if (value !== value.toUpperCase() && column !== 'ORIGIN_NETWORK' && column !== 'DEST_NETWORK') return '; codes are case-sensitive';
  return '';
}

// ---- Decode: native → canonical ----------------------------------------------------------

function decode(native: NativeMessage): EventDraft[] {
  checkContentType(native.contentType);
  const limits = limitsOf(native.attributes);
  const declared = Number.parseInt(native.attributes[ATTRIBUTES.receivedBytes] ?? '', 10);
  const table = readTable(native.body, limits, Number.isSafeInteger(declared) ? declared : 0);
  const parsed = readReport(table, 'centre');
  const reportId = parsed.reportId ?? `${parsed.period.text}-${createHash('sha256').update(native.body).digest('hex').slice(0, 16)}`;
  const body = StatisticsReport.fromPartial({
    reportId,
    revision: parsed.revision,
    reporter: NETWORK,
    source: StatisticsSource.STATISTICS_SOURCE_CENTRE_SUBMITTED,
    period: parsed.period.text,
    periodStart: parsed.period.start,
    periodEnd: parsed.period.end,
    generatedAt: parsed.generatedAt,
    observations: parsed.observations,
    suppressionThreshold: parsed.suppressionThreshold,
    methodologyUri: parsed.methodologyUri,
  });

  const extensions: Record<string, string> = {};
  if (table.header.join(',') !== defaultColumns(body).join(',')) extensions[EXTENSIONS.columns] = table.header.join(',');
  for (const [name, values] of parsed.attributeColumns) {
    if (values.some((value) => value !== '')) extensions[EXTENSIONS.attributePrefix + name] = JSON.stringify(values);
  }
  const confStatus = parsed.confStatus;
  if (confStatus && confStatus.some((value, index) => value !== derivedConfStatus(parsed.observations[index] as Observation))) {
    extensions[`${EXTENSIONS.attributePrefix}CONF_STATUS`] = JSON.stringify(confStatus);
  }
  return [
    {
      body,
      subject: `${NETWORK}:${reportId}`,
      // Aggregates with small counts suppressed: made to be published.
      classification: Classification.CLASSIFICATION_PUBLIC,
      extensions,
      nativeId: reportId,
    },
  ];
}

function checkContentType(contentType: string): void {
  const [mediaType = '', ...parameters] = contentType.split(';').map((part) => part.trim().toLowerCase());
  const charset = parameters.find((parameter) => parameter.startsWith('charset='))?.slice('charset='.length).replace(/^"|"$/g, '');
  const csv = mediaType === 'text/csv' || mediaType === 'application/vnd.sdmx.data+csv';
  if (!csv || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')) {
    throw new DecodeError('WRONG_CONTENT_TYPE', `expected text/csv or application/vnd.sdmx.data+csv (UTF-8), got ${show(contentType.slice(0, 100))}`, 'content-type');
  }
}

function limitsOf(attributes: Readonly<Record<string, string>>): Limits {
  const read = (name: string, fallback: number) => {
    const value = Number.parseInt(attributes[name] ?? '', 10);
    return Number.isSafeInteger(value) && value > 0 ? value : fallback;
  };
  return { maxBytes: read(ATTRIBUTES.maxBytes, DEFAULT_LIMITS.maxBytes), maxRows: read(ATTRIBUTES.maxRows, DEFAULT_LIMITS.maxRows) };
}

// ---- Encode: canonical → native ----------------------------------------------------------

function encode(event: Event, body: EventBody): NativeMessage | null {
  if (body.$type !== 'comity.v1.StatisticsReport') return null;
  const report = body;
  if (!report.reportId) throw new EncodeError('MISSING_FIELD', 'the report has no report_id');
  if (!parsePeriod(report.period)) throw new EncodeError('MISSING_FIELD', `the report's period ${show(report.period)} is not one SDMX-CSV files carry (2025, 2025-S1, 2025-Q3, 2025-07, 2025-W27)`);
  if (report.observations.length === 0) throw new EncodeError('MISSING_FIELD', 'the report has no observations');

  const columns = columnsFor(event, report);
  const attributeValues = new Map<string, readonly string[]>();
  for (const column of columns) {
    const values = extensionValues(event, column, report.observations.length);
    if (values) attributeValues.set(column, values);
  }
  const rows = report.observations.map((observation, index) =>
    columns.map((column) => cellFor(column, report, observation, attributeValues.get(column)?.[index])),
  );
  const text = stringify([columns, ...rows], { record_delimiter: '\r\n', eof: true });

  // Comity never writes a file it would refuse.
  try {
    readReport(readTable(Buffer.from(text, 'utf8'), NO_LIMITS), 'outbound');
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    throw new EncodeError('INVALID_REPORT', `the report cannot be written as a valid SDMX-CSV file: ${error.message} (lines count from the header of the file written)`, { cause: error });
  }
  return {
    body: Buffer.from(text, 'utf8'),
    contentType: 'text/csv; charset=utf-8',
    attributes: { [ATTRIBUTES.reportId]: report.reportId, [ATTRIBUTES.revision]: String(report.revision) },
  };
}

/** The header Comity writes for a report when the event does not carry the file's own. */
function defaultColumns(report: StatisticsReport): string[] {
  const columns = ['DATAFLOW', ...DIMENSIONS, MEASURE_COLUMN];
  if (report.observations.some((observation) => observation.suppressed)) columns.push('CONF_STATUS');
  columns.push('REPORT_ID', 'REVISION');
  if (report.reporter) columns.push('REPORTER');
  if (report.source !== StatisticsSource.STATISTICS_SOURCE_UNSPECIFIED) columns.push('SOURCE');
  if (report.suppressionThreshold > 0) columns.push('SUPPRESSION_THRESHOLD');
  if (report.methodologyUri) columns.push('METHODOLOGY');
  if (report.generatedAt) columns.push('PREPARED');
  return columns;
}

/**
 * The file's own header (extension) or the default one, plus any column the report's values or
 * the kept attribute values (`attr.<COLUMN>`) need that it lacks.
 */
function columnsFor(event: Event, report: StatisticsReport): string[] {
  const declared = event.extensions[EXTENSIONS.columns];
  const columns = declared === undefined ? defaultColumns(report) : declared.split(',');
  const unique = new Set(columns);
  if (unique.size !== columns.length || columns.some((column) => !COLUMN_ID.test(column)) || REQUIRED_COLUMNS.some((column) => !unique.has(column))) {
    throw new EncodeError('INVALID_EXTENSION', `extension ${EXTENSIONS.columns} is not a header this adapter can write: ${show(declared ?? '')}`);
  }
  for (const key of Object.keys(event.extensions).sort()) {
    if (!key.startsWith(EXTENSIONS.attributePrefix)) continue;
    const column = key.slice(EXTENSIONS.attributePrefix.length);
    if (!COLUMN_ID.test(column) || (KNOWN_COLUMNS.includes(column) && !(OBSERVATION_ATTRIBUTES as readonly string[]).includes(column))) {
      throw new EncodeError('INVALID_EXTENSION', `extension ${key} does not name an attribute column`);
    }
    if (!unique.has(column)) {
      unique.add(column);
      columns.push(column);
    }
  }
  const observations = report.observations;
  const needs: Record<string, boolean> = {
    COUNTERPART_AREA: observations.some((o) => o.counterpartCountry !== ''),
    FLOW: observations.some((o) => o.direction !== FlowDirection.FLOW_DIRECTION_UNSPECIFIED),
    ORIGIN_NETWORK: observations.some((o) => o.originNetwork !== ''),
    DEST_NETWORK: observations.some((o) => o.destinationNetwork !== ''),
    REQUEST_TYPE: observations.some((o) => o.requestType !== RequestType.REQUEST_TYPE_UNSPECIFIED),
    OUTCOME: observations.some((o) => o.outcome !== StatisticOutcome.STATISTIC_OUTCOME_UNSPECIFIED),
    INTERVAL: observations.some((o) => o.interval !== DurationInterval.DURATION_INTERVAL_UNSPECIFIED),
    CONF_STATUS: observations.some((o) => o.suppressed),
    REVISION: report.revision > 0,
    SUPPRESSION_THRESHOLD: report.suppressionThreshold > 0,
    METHODOLOGY: report.methodologyUri !== '',
    PREPARED: report.generatedAt !== undefined,
  };
  for (const column of KNOWN_COLUMNS) if (needs[column] && !unique.has(column)) columns.push(column);
  return columns;
}

/** A column's values kept by decode (`attr.<COLUMN>`), if the event has them for every observation. */
function extensionValues(event: Event, column: string, count: number): readonly string[] | undefined {
  const key = EXTENSIONS.attributePrefix + column;
  const text = event.extensions[key];
  if (text === undefined) return undefined;
  let values: unknown;
  try {
    values = JSON.parse(text);
  } catch (cause) {
    throw new EncodeError('INVALID_EXTENSION', `extension ${key} is not JSON`, { cause });
  }
  if (!Array.isArray(values) || values.length !== count || values.some((value) => typeof value !== 'string')) {
    throw new EncodeError('INVALID_EXTENSION', `extension ${key} must be a JSON array of ${count} strings, one per observation`);
  }
  return values as string[];
}

function derivedConfStatus(observation: Observation): string {
  return observation.suppressed ? 'C' : '';
}

function cellFor(column: string, report: StatisticsReport, observation: Observation, kept: string | undefined): string {
  const code = <E extends number>(list: CodeList<E>, value: E): string => {
    const found = list.codeOf(value);
    if (found === undefined) throw new EncodeError('UNSUPPORTED_VALUE', `an observation's ${list.column} (${value}) has no SDMX code`);
    return found;
  };
  switch (column) {
    case 'DATAFLOW':
      return DATAFLOW;
    case 'REF_AREA':
      return observation.reportingCountry || TOTAL;
    case 'COUNTERPART_AREA':
      return observation.counterpartCountry || TOTAL;
    case 'FLOW':
      return code(FLOW, observation.direction);
    case 'ORIGIN_NETWORK':
      return observation.originNetwork || TOTAL;
    case 'DEST_NETWORK':
      return observation.destinationNetwork || TOTAL;
    case 'REQUEST_TYPE':
      return code(REQUEST_TYPE, observation.requestType);
    case 'ICCS':
      return observation.iccsCode || TOTAL;
    case 'CJ_STAGE':
      return code(CJ_STAGE, observation.stage);
    case 'OUTCOME':
      return code(OUTCOME, observation.outcome);
    case 'MEASURE':
      if (observation.measure === StatisticMeasure.STATISTIC_MEASURE_UNSPECIFIED) throw new EncodeError('MISSING_FIELD', 'an observation has no measure');
      return code(MEASURE, observation.measure);
    case 'INTERVAL':
      return code(INTERVAL, observation.interval);
    case 'TIME_PERIOD':
      return report.period;
    case MEASURE_COLUMN:
      return observation.suppressed ? '' : String(observation.value);
    case 'CONF_STATUS':
      // The centre's own letter (F) where it still says the same thing.
      return kept !== undefined && (kept === 'C') === observation.suppressed ? kept : derivedConfStatus(observation);
    case 'REPORT_ID':
      return report.reportId;
    case 'REVISION':
      return String(report.revision);
    case 'REPORTER':
      return report.reporter;
    case 'SOURCE':
      return report.source === StatisticsSource.STATISTICS_SOURCE_UNSPECIFIED ? '' : code(SOURCE, report.source);
    case 'SUPPRESSION_THRESHOLD':
      return String(report.suppressionThreshold);
    case 'METHODOLOGY':
      return report.methodologyUri;
    case 'PREPARED':
      return report.generatedAt ? report.generatedAt.toISOString().replace(/\.\d{3}Z$/, 'Z') : '';
    default:
      return kept ?? '';
  }
}

// ---- normalize: what two files must share to be the same ----------------------------------

/** The table as cells, OBS_VALUE as a number: quoting, line ends, a BOM and `12.0` vs `12` do not matter. */
function normalize(native: NativeMessage): unknown {
  const table = readTable(native.body, NO_LIMITS);
  const valueAt = table.header.indexOf(MEASURE_COLUMN);
  return {
    header: table.header,
    rows: table.rows.map((row) => row.cells.map((cell, index) => (index === valueAt && cell !== '' && Number.isFinite(Number(cell)) ? String(Number(cell)) : cell))),
  };
}

// ---- Helpers -------------------------------------------------------------------------------

/** A value quoted for a message, shortened: messages end up in DLQ headers and reason files. */
function show(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

function countLineBreaks(text: string): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) count += 1;
  return count;
}

function lineAtByte(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let index = 0; index < offset && index < bytes.length; index += 1) if (bytes[index] === 0x0a) line += 1;
  return line;
}


// ---- The codec -----------------------------------------------------------------------------

export const coeStatsCodec: Codec = { decode, encode, normalize };
