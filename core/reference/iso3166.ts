/**
 * ISO 3166-1 alpha-2 country codes, as pure data: the reporting and counterpart countries of
 * statistics must be in this list. Embedded rather than taken from `Intl.DisplayNames`, whose
 * answers depend on the ICU data of the Node build, so that the same file is judged the same
 * way everywhere (codecs must be deterministic).
 */

/** The 249 officially assigned ISO 3166-1 alpha-2 codes. */
const OFFICIALLY_ASSIGNED = `AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
   CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET
   FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU
   ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY
   MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM
   PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
   SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
   UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW`
  .trim()
  .split(/\s+/);

/**
 * User-assigned codes accepted as well: XK, in common use for Kosovo (the federation file
 * accepts it too, see services/directory/federation.test.ts).
 */
const USER_ASSIGNED = ['XK'];

export const ISO_3166_1_ALPHA_2: ReadonlySet<string> = new Set([...OFFICIALLY_ASSIGNED, ...USER_ASSIGNED]);

/** Whether `code` is an ISO 3166-1 alpha-2 country code (capitals, as ISO writes them). */
export function isCountryCode(code: string): boolean {
  return ISO_3166_1_ALPHA_2.has(code);
}
