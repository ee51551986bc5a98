package cli

import (
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// steps returns a progress callback for the steps of a long analysis, and a function that
// ends the display. On a terminal each step is a bar (units done of total, rate, time left);
// otherwise each step logs one line when it starts and one when it ends, with its count and
// duration. prefix names the analysis ("coordination").
func (a *App) steps(prefix string) (func(step string, done, total int64), func()) {
	type state struct {
		start time.Time
		bar   *mpb.Bar
		ended bool
	}
	var (
		mu   sync.Mutex
		seen = map[string]*state{}
		bars *mpb.Progress
	)
	if a.Interactive && !a.JSON {
		bars = mpb.New(mpb.WithOutput(a.Err), mpb.WithWidth(40), mpb.WithAutoRefresh())
	}
	cb := func(step string, done, total int64) {
		mu.Lock()
		defer mu.Unlock()
		s := seen[step]
		if s == nil {
			s = &state{start: time.Now()}
			seen[step] = s
			if bars != nil {
				s.bar = bars.AddBar(max(total, 1),
					mpb.PrependDecorators(decor.Name(prefix+": "+step, decor.WCSyncSpaceR)),
					mpb.AppendDecorators(decor.CountersNoUnit("%d / %d"), decor.Name(" "),
						decor.AverageSpeed(0, "%.0f/s"), decor.Name(" "), decor.AverageETA(decor.ET_STYLE_GO)))
			} else {
				a.Logf("%s: %s …", prefix, step)
			}
		}
		if s.ended {
			return
		}
		end := done >= total
		if s.bar != nil {
			s.bar.SetTotal(max(total, 1), false)
			s.bar.SetCurrent(done)
			if end {
				s.bar.SetTotal(max(done, 1), true)
			}
		} else if end {
			a.Logf("%s: %s: %d in %.1fs", prefix, step, done, time.Since(s.start).Seconds())
		}
		s.ended = end
	}
	var once sync.Once
	finish := func() {
		once.Do(func() {
			if bars == nil {
				return
			}
			mu.Lock()
			for _, s := range seen {
				if !s.bar.Completed() {
					s.bar.Abort(false)
				}
			}
			mu.Unlock()
			bars.Wait()
		})
	}
	return cb, finish
}
