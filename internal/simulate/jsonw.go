package simulate

import (
	"io"
	"strconv"
	"time"
	"unicode/utf8"
)

// The JSON of the output is appended by hand: reflection-based encoding is several times too
// slow for the scale-1 budget. Every string goes through appendString, which escapes it as
// encoding/json would (without HTML escaping).

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string literal.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendKey appends `"key":`; keys are constants and need no escaping.
func appendKey(b []byte, key string) []byte {
	b = append(b, '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

// appendID appends an id as a JSON string, as the X API writes ids.
func appendID(b []byte, id uint64) []byte {
	b = append(b, '"')
	b = strconv.AppendUint(b, id, 10)
	return append(b, '"')
}

// appendTime appends t in the X API v2 layout, 2020-06-09T12:34:56.000Z, quoted.
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z")
	return append(b, '"')
}

// appendUnixTime is appendTime for unix seconds, without time.Format: the hot path.
func appendUnixTime(b []byte, sec int64) []byte {
	days := sec / 86400
	rem := sec % 86400
	y, m, d := civil(days)
	b = append(b, '"')
	b = append4(b, y)
	b = append(b, '-')
	b = append2(b, m)
	b = append(b, '-')
	b = append2(b, d)
	b = append(b, 'T')
	b = append2(b, int(rem/3600))
	b = append(b, ':')
	b = append2(b, int(rem/60%60))
	b = append(b, ':')
	b = append2(b, int(rem%60))
	return append(b, ".000Z\""...)
}

// civil converts days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
// algorithm).
func civil(z int64) (y, m, d int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	yy := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	if m <= 2 {
		yy++
	}
	return int(yy), m, d
}

func append2(b []byte, v int) []byte { return append(b, byte('0'+v/10%10), byte('0'+v%10)) }
func append4(b []byte, v int) []byte {
	return append(b, byte('0'+v/1000%10), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}

// page accumulates one twarc2 page: the API response's data, its includes and meta, and the
// __twarc envelope. Includes hold each referenced post and each user once per page.
type page struct {
	data     []byte
	users    []byte
	tweets   []byte
	n        int
	nUsers   int
	nTweets  int
	newest   uint64
	oldest   uint64
	included []uint64 // ids of the posts in includes.tweets
}

func (p *page) reset() {
	p.data, p.users, p.tweets = p.data[:0], p.users[:0], p.tweets[:0]
	p.n, p.nUsers, p.nTweets = 0, 0, 0
	p.newest, p.oldest = 0, 0
	p.included = p.included[:0]
}

// addData appends one tweet object (already encoded) to data.
func (p *page) addData(id uint64, obj []byte) {
	if p.n > 0 {
		p.data = append(p.data, ',')
	}
	p.data = append(p.data, obj...)
	p.n++
	if p.newest == 0 || id > p.newest {
		p.newest = id
	}
	if p.oldest == 0 || id < p.oldest {
		p.oldest = id
	}
}

func (p *page) addUser(obj []byte) {
	if p.nUsers > 0 {
		p.users = append(p.users, ',')
	}
	p.users = append(p.users, obj...)
	p.nUsers++
}

// addIncluded adds a referenced post to includes.tweets unless the page already has it.
func (p *page) addIncluded(id uint64, obj []byte) {
	for _, x := range p.included {
		if x == id {
			return
		}
	}
	p.included = append(p.included, id)
	if p.nTweets > 0 {
		p.tweets = append(p.tweets, ',')
	}
	p.tweets = append(p.tweets, obj...)
	p.nTweets++
}

// writeTo writes the page as one line with the given request URL and retrieval time.
func (p *page) writeTo(w io.Writer, buf []byte, url string, retrieved time.Time) ([]byte, error) {
	b := buf[:0]
	b = append(b, `{"data":[`...)
	b = append(b, p.data...)
	b = append(b, `],"includes":{"users":[`...)
	b = append(b, p.users...)
	b = append(b, ']')
	if p.nTweets > 0 {
		b = append(b, `,"tweets":[`...)
		b = append(b, p.tweets...)
		b = append(b, ']')
	}
	b = append(b, `},"meta":{"newest_id":`...)
	b = appendID(b, p.newest)
	b = append(b, `,"oldest_id":`...)
	b = appendID(b, p.oldest)
	b = append(b, `,"result_count":`...)
	b = strconv.AppendInt(b, int64(p.n), 10)
	b = append(b, `},"__twarc":{"url":`...)
	b = appendString(b, url)
	b = append(b, `,"version":"2.10.4","retrieved_at":"`...)
	b = retrieved.UTC().AppendFormat(b, "2006-01-02T15:04:05+00:00")
	b = append(b, "\"}}\n"...)
	_, err := w.Write(b)
	return b, err
}
