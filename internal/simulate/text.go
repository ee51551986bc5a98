package simulate

import (
	"math/rand/v2"
	"sort"
)

// countries are the ISO 3166 alpha-2 codes of the host countries of the diplomat accounts
// (China and the UK are added separately).
var countries = []string{
	"US", "FR", "DE", "IT", "ES", "JP", "KR", "IN", "PK", "RU", "BR", "AR", "MX", "ZA", "NG", "KE",
	"EG", "SA", "AE", "IR", "TR", "ID", "MY", "TH", "VN", "PH", "SG", "AU", "NZ", "CA", "CL", "PE",
	"CO", "VE", "CU", "ET", "TZ", "UG", "ZM", "ZW", "GH", "PT", "NL", "BE", "LU", "IE", "DK", "SE",
	"NO", "FI", "IS", "PL", "CZ", "SK", "HU", "AT", "CH", "SI", "HR", "RS", "BA", "ME", "MK", "AL",
	"GR", "BG", "RO", "MD", "UA", "BY", "GE", "AM", "AZ", "KZ", "UZ", "KG", "TJ", "TM", "MN", "CY",
	"MT", "EE", "LV", "LT", "EC", "BO", "UY", "PY", "PA", "CR", "NI", "SV", "DO", "JM", "TT", "BS",
	"BB", "GY", "SR", "LA", "KH", "MM", "BN", "TL", "NP", "BD", "LK", "MV", "AF", "IQ", "SY", "LB",
	"JO", "IL", "PS", "QA", "KW", "BH", "OM", "YE", "LY", "TN", "DZ", "MA", "SD", "SS", "DJ", "SO",
	"RW", "BI", "MW", "MZ", "NA", "BW", "LS", "MG", "MU", "SC", "AO", "CG", "CD", "GA", "CM", "SN",
	"CI", "BJ", "TG", "NE", "ML", "GN", "SL", "LR", "FJ", "PG", "WS", "TO", "VU",
}

var countryLang = map[string]string{
	"ES": "es", "MX": "es", "AR": "es", "CL": "es", "PE": "es", "CO": "es", "VE": "es", "CU": "es",
	"EC": "es", "BO": "es", "UY": "es", "PY": "es", "PA": "es", "CR": "es", "NI": "es", "SV": "es",
	"DO": "es", "FR": "fr", "BE": "fr", "LU": "fr", "CH": "fr", "SN": "fr", "CI": "fr", "BJ": "fr",
	"TG": "fr", "NE": "fr", "ML": "fr", "GN": "fr", "CG": "fr", "CD": "fr", "GA": "fr", "CM": "fr",
	"MG": "fr", "DJ": "fr", "BI": "fr", "RW": "fr", "BR": "pt", "PT": "pt", "AO": "pt", "MZ": "pt",
	"TL": "pt", "SA": "ar", "AE": "ar", "EG": "ar", "IQ": "ar", "SY": "ar", "LB": "ar", "JO": "ar",
	"PS": "ar", "QA": "ar", "KW": "ar", "BH": "ar", "OM": "ar", "YE": "ar", "LY": "ar", "TN": "ar",
	"DZ": "ar", "MA": "ar", "SD": "ar", "RU": "ru", "BY": "ru", "KZ": "ru", "KG": "ru", "DE": "de",
	"AT": "de", "JP": "ja", "KR": "ko", "IT": "it", "TR": "tr", "ID": "in", "TH": "th", "VN": "vi",
}

var countryTZ = map[string]int{
	"US": -5, "CA": -5, "MX": -6, "BR": -3, "AR": -3, "CL": -4, "PE": -5, "CO": -5, "VE": -4,
	"CU": -5, "JP": 9, "KR": 9, "AU": 10, "NZ": 12, "IN": 5, "PK": 5, "RU": 3, "ID": 7, "MY": 8,
	"SG": 8, "PH": 8, "TH": 7, "VN": 7, "CN": 8, "ZA": 2, "KE": 3, "EG": 2, "SA": 3, "AE": 4,
	"IR": 3, "TR": 3, "NG": 1, "GB": 0,
}

func langOf(c string) string {
	if l, ok := countryLang[c]; ok {
		return l
	}
	return "en"
}

func tzOf(c string) int {
	if t, ok := countryTZ[c]; ok {
		return t
	}
	return 1
}

var firstNames = []string{
	"lina", "wei", "mark", "jenny", "tom", "amy", "li", "chen", "sara", "john", "mei", "ahmed",
	"ana", "paul", "yuki", "omar", "lucy", "ivan", "nina", "ben", "zoe", "raj", "kate", "leo",
	"fatima", "diego", "emma", "hao", "olga", "sam", "alex", "maria", "peter", "june", "ken",
}

var words = []string{
	"china", "cooperation", "development", "people", "friendship", "peace", "win-win", "shared",
	"future", "community", "mankind", "dialogue", "mutual", "respect", "trust", "progress",
	"global", "governance", "multilateralism", "vaccine", "pandemic", "solidarity", "support",
	"economy", "growth", "trade", "investment", "belt", "road", "initiative", "green", "poverty",
	"alleviation", "rights", "security", "stability", "sovereignty", "interference", "internal",
	"affairs", "lies", "rumours", "smear", "campaign", "facts", "truth", "western", "media",
	"double", "standards", "xinjiang", "hong", "kong", "taiwan", "tibet", "ambassador", "embassy",
	"meeting", "minister", "talks", "joint", "statement", "partnership", "strategic", "bilateral",
	"relations", "anniversary", "culture", "exchange", "students", "youth", "innovation",
	"technology", "5g", "climate", "carbon", "neutrality", "forum", "summit", "delegation",
	"donation", "medical", "supplies", "experts", "team", "hospital", "frontline", "doctors",
	"harmony", "prosperity", "openness", "reform", "history", "civilisation", "justice",
	"hegemony", "bullying", "unilateralism", "cold", "war", "mentality", "zero-sum", "games",
	"great", "wall", "panda", "festival", "spring", "mid-autumn", "lantern", "tea", "silk",
	"today", "together", "always", "firmly", "oppose", "welcome", "congratulations", "thanks",
	"proud", "happy", "strong", "important", "new", "era", "path", "common", "values",
}

var hashtags = []string{
	"China", "COVID19", "Xinjiang", "HongKong", "Multilateralism", "BeltAndRoad", "FightCOVID19",
	"StopAsianHate", "ChinaStory", "CPC", "Vaccine", "ClimateAction", "Friendship", "WinWin",
}

var replyWords = []string{
	"well said", "totally agree", "great", "thank you ambassador", "so true", "exactly",
	"nonsense", "lies", "propaganda", "shame", "respect", "wonderful", "facts matter",
	"long live friendship", "support china", "stop the smears", "who believes this", "wrong",
}

var clients = []string{
	"Twitter for Android", "Twitter for iPhone", "Twitter Web App", "Twitter for iPad",
	"TweetDeck", "Twitter Web App", "Twitter for Android",
}

// appendWords appends n random words separated by spaces.
func appendWords(b []byte, r *rand.Rand, n int) []byte {
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, words[r.IntN(len(words))]...)
	}
	return b
}

// sixGram returns a run of six consecutive words from text, starting at a random word.
func sixGram(r *rand.Rand, text string) string {
	var starts []int
	prev := byte(' ')
	for i := 0; i < len(text); i++ {
		if prev == ' ' && text[i] != ' ' {
			starts = append(starts, i)
		}
		prev = text[i]
	}
	if len(starts) <= 6 {
		return text
	}
	s := r.IntN(len(starts) - 6)
	return text[starts[s] : starts[s+6]-1]
}

func sortInts(xs []int) { sort.Ints(xs) }

// sortBy sorts xs stably by key ascending.
func sortBy(xs []int, key func(int) float64) {
	sort.SliceStable(xs, func(i, j int) bool { return key(xs[i]) < key(xs[j]) })
}

func sortedKeys(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}
