package amplify

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzCompute builds small Inputs from arbitrary bytes (indexes in range, times and counts
// anywhere, unknown values included) and checks that Compute never panics, that every share
// lies in [0, 1] and that the findings always encode as JSON (no NaN or infinity).
func FuzzCompute(f *testing.F) {
	f.Add([]byte{3, 5, 20, 4, 1, 0, 9, 2, 200, 7, 1, 1, 0, 0, 3, 3}, int64(0), int64(0))
	f.Add([]byte("hand-built seeds: a few posts, reposts and statuses"), int64(1609718400), int64(1614556800))
	f.Add(make([]byte, 64), int64(-5), int64(5))
	f.Fuzz(func(t *testing.T, data []byte, since, asOf int64) {
		next := func() int {
			if len(data) == 0 {
				return 0
			}
			v := int(data[0])
			data = data[1:]
			return v
		}
		tm := func() int64 {
			v := next()
			if v == 255 {
				return NoTime
			}
			return 1609718400 + int64(v-128)*3571
		}
		var in Input
		in.Platforms = []string{"x", "facebook"}
		nw := 1 + next()%4
		na := nw + next()%8
		for a := range na {
			in.Accounts.Add(uint8(a%2), "a"+itoa(a), "", tm())
		}
		for w := range nw {
			in.Watch = append(in.Watch, WatchEntry{Account: int32(w), Platform: "x", ID: "a" + itoa(w),
				ActorType: []string{"ambassador", "embassy"}[w%2], Country: []string{"GB", "", "CN"}[w%3],
				Since: NoTime, Until: NoTime})
		}
		np := next() % 10
		for range np {
			c := func() int64 { return int64(next()) - 2 }
			in.Posts.Add(int32(next()%nw), tm(), PostKind(next()%4), c(), c(), c(), c())
		}
		if np > 0 {
			for range next() % 40 {
				in.Engagements.Add(int32(next()%na), int32(next()%np), Kind(1+next()%3), tm())
			}
		}
		for range next() % 6 {
			in.Statuses.Add(int32(next()%na), tm(), Status(next()%5))
		}
		for range next() % 4 {
			in.Labels.Add(int32(next()%nw), tm(), LabelClass(next()%3))
		}
		p := Params{AsOf: time.Unix(asOf, 0), HeavyMin: 1 + next()%3, PerAccountMin: 1 + next()%3, BurstMin: 1,
			Coordinated: []string{"a" + itoa(next()%(na+1))}, GroupNames: map[string]string{"a0": "g"}}
		if since != 0 {
			p.Since = time.Unix(since, 0)
		}
		fd, err := Compute(in, p)
		if err != nil {
			return // since after until, for instance
		}
		for k, v := range map[string]float64{"label": fd.LabelShare, "susp": fd.SuspendedRepostShare, "del": fd.DeletedRepostShare,
			"fast10": fd.FastAmplifiers10s, "fast60": fd.FastAmplifiers60s, "coord": fd.CoordinatedRepostShare,
			"gini": fd.Gini, "top1": fd.TopShare["1"], "top10": fd.TopShare["10"]} {
			if !(v >= 0 && v <= 1) {
				t.Fatalf("%s = %v, outside [0, 1]", k, v)
			}
		}
		if fd.TopShare["1"] > fd.TopShare["10"] {
			t.Fatalf("top 1 %% %v > top 10 %% %v", fd.TopShare["1"], fd.TopShare["10"])
		}
		for _, r := range fd.Weekly {
			if r.Suspended+r.Deleted+r.Coordinated+r.Other != r.Reposts {
				t.Fatalf("week %+v does not add up", r)
			}
		}
		if _, err := json.Marshal(fd); err != nil {
			t.Fatalf("marshal: %v", err)
		}
	})
}
