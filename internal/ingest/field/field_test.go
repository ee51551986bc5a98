package field

import (
	"errors"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/event"
)

func TestTime(t *testing.T) {
	t.Parallel()
	utc := func(y int, mo time.Month, d, h, mi, s int) time.Time {
		return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
	}
	tests := []struct {
		in   string
		want time.Time
	}{
		{"", time.Time{}},
		{"2021-02-23T10:11:12Z", utc(2021, 2, 23, 10, 11, 12)},
		{"2021-02-23T10:11:12.000Z", utc(2021, 2, 23, 10, 11, 12)},
		{"2021-02-23T12:11:12+02:00", utc(2021, 2, 23, 10, 11, 12)},
		{"2021-02-23 10:11:12", utc(2021, 2, 23, 10, 11, 12)},
		{"2021-02-23 10:11", utc(2021, 2, 23, 10, 11, 0)},
		{"2021-02-23", utc(2021, 2, 23, 0, 0, 0)},
		{"Thu Dec 03 14:19:01 +0000 2015", utc(2015, 12, 3, 14, 19, 1)},
		{"10/1/17 19:58", utc(2017, 10, 1, 19, 58, 0)},
		{"1609502400", utc(2021, 1, 1, 12, 0, 0)},
		{"1609502400.5", time.Date(2021, 1, 1, 12, 0, 0, 5e8, time.UTC)},
		{"1609502400000", utc(2021, 1, 1, 12, 0, 0)}, // milliseconds
		{"  2021-02-23 10:11:12  ", utc(2021, 2, 23, 10, 11, 12)},
	}
	for _, tt := range tests {
		got, err := Time(tt.in)
		if err != nil || !got.Equal(tt.want) || (!got.IsZero() && got.Location() != time.UTC) {
			t.Errorf("Time(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"yesterday", "2021-13-45", "12:00", "1e400"} {
		if _, err := Time(bad); !errors.Is(err, ErrTime) {
			t.Errorf("Time(%q): err %v, want ErrTime", bad, err)
		}
	}
}

func TestCount(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{"": event.Unknown, "NA": event.Unknown, "null": event.Unknown,
		"0": 0, "42": 42, "1,234": 1234, "1.2e3": 1200, " 7 ": 7} {
		if got, err := Count(in); err != nil || got != want {
			t.Errorf("Count(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"-1", "many", "1e30"} {
		if _, err := Count(bad); err == nil {
			t.Errorf("Count(%q) succeeded", bad)
		}
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	tests := map[string][]string{
		"":                     nil,
		"[]":                   nil,
		"[a, b]":               {"a", "b"},
		"['x.com/a', 'y.org']": {"x.com/a", "y.org"},
		`["q"]`:                {"q"},
		"a,b,,c":               {"a", "b", "c"},
	}
	for in, want := range tests {
		got := List(in)
		if len(got) != len(want) {
			t.Errorf("List(%q) = %q, want %q", in, got, want)
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("List(%q) = %q, want %q", in, got, want)
			}
		}
	}
}

func TestURL(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"https://www.Example.org/path/":                "https://example.org/path",
		"http://example.org/a?utm_source=tw&id=3#frag": "https://example.org/a?id=3",
		"https://example.org:443/a?fbclid=x":           "https://example.org/a",
		"https://user:pw@example.org:8080/a":           "https://example.org:8080/a",
		"https://news.cgtn.com/a?b=2&a=1":              "https://news.cgtn.com/a?a=1&b=2",
		"not a url":                                    "not a url",
		"  https://t.co/abc  ":                         "https://t.co/abc",
	}
	for in, want := range tests {
		if got := URL(in); got != want {
			t.Errorf("URL(%q) = %q, want %q", in, got, want)
		}
	}
	if d := Domain("http://www.telesurenglish.net/news/x.html"); d != "telesurenglish.net" {
		t.Errorf("Domain = %q", d)
	}
}

func TestHashtagHandle(t *testing.T) {
	t.Parallel()
	if Hashtag(" #Xinjiang ") != "xinjiang" || Handle("@ChinaAmbUK") != "chinaambuk" {
		t.Error("hashtag or handle normalisation")
	}
}

func FuzzTime(f *testing.F) {
	for _, s := range []string{"2021-02-23T10:11:12Z", "1609502400", "10/1/17 19:58", "Thu Dec 03 14:19:01 +0000 2015"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := Time(s)
		if err == nil && !tm.IsZero() && tm.Location() != time.UTC {
			t.Fatalf("Time(%q) not UTC", s)
		}
	})
}

func FuzzURL(f *testing.F) {
	f.Add("https://www.example.org/a?utm_source=x#y")
	f.Fuzz(func(t *testing.T, s string) {
		u := URL(s)
		if URL(u) != u {
			t.Fatalf("URL not idempotent: %q → %q → %q", s, u, URL(u))
		}
	})
}
