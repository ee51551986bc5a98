package text

import (
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the user+system CPU time of the process so far (all threads). Reported as
// "cpu-s/op" because the shared benchmark machine is often oversubscribed.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchTexts makes n tweet-like texts of 20–30 words from a 5000-word vocabulary; a fifth are
// copies of 1000 templates with one word changed and a URL or mention added.
func benchTexts(n int) []string {
	rng := rand.New(rand.NewPCG(1, 2))
	vocab := make([]string, 5000)
	for i := range vocab {
		var b strings.Builder
		for range 3 + rng.IntN(6) {
			b.WriteByte(byte('a' + rng.IntN(26)))
		}
		vocab[i] = b.String()
	}
	sentence := func() []string {
		w := make([]string, 20+rng.IntN(11))
		for i := range w {
			w[i] = vocab[rng.IntN(len(vocab))]
		}
		return w
	}
	templates := make([][]string, 1000)
	for i := range templates {
		templates[i] = sentence()
	}
	texts := make([]string, n)
	for i := range texts {
		if rng.IntN(5) == 0 {
			w := append([]string(nil), templates[rng.IntN(len(templates))]...)
			w[rng.IntN(len(w))] = vocab[rng.IntN(len(vocab))]
			texts[i] = "RT @user" + vocab[rng.IntN(50)] + ": " + strings.Join(w, " ") + " https://t.co/abc"
		} else {
			texts[i] = strings.Join(sentence(), " ") + "!"
		}
	}
	return texts
}

func BenchmarkNormalize(b *testing.B) {
	texts := benchTexts(10_000)
	b.ResetTimer()
	for i := range b.N {
		Normalize(texts[i%len(texts)])
	}
}

func BenchmarkShingles(b *testing.B) {
	texts := benchTexts(10_000)
	for i := range texts {
		texts[i] = Normalize(texts[i])
	}
	b.ResetTimer()
	for i := range b.N {
		Shingles(texts[i%len(texts)], 3)
	}
}

// BenchmarkNearDuplicateGroups1M groups 1 M texts with the default parameters.
func BenchmarkNearDuplicateGroups1M(b *testing.B) {
	texts := benchTexts(1_000_000)
	b.ResetTimer()
	start := cpuTime()
	defer func() { b.ReportMetric((cpuTime()-start).Seconds()/float64(b.N), "cpu-s/op") }()
	for range b.N {
		g := NearDuplicateGroups(texts, LSHParams{Seed: 1})
		var groups int32
		for _, id := range g {
			groups = max(groups, id+1)
		}
		b.ReportMetric(float64(groups), "groups")
	}
}

func BenchmarkSignature128(b *testing.B) {
	m := NewMinHasher(128, 1)
	sh := Shingles(Normalize(benchTexts(1)[0]), 3)
	sig := make(Signature, 128)
	b.ResetTimer()
	for range b.N {
		m.SignatureInto(sig, sh)
	}
	b.ReportMetric(float64(len(sh)), "shingles")
}
