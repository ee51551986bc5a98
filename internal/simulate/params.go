package simulate

import "time"

// params holds every knob of a preset. Volumes are at scale 1; Run multiplies them by the
// scale. docs/simulate.md explains each one and where its value comes from.
type params struct {
	Start, End  time.Time // posting window [Start, End): End is exclusive
	CollectedAt time.Time // __twarc.retrieved_at of the final snapshot of every page
	LabelObsAt  time.Time // observed_at of the label observations
	LabelAsOf   time.Time // as-of date used for label_share in truth.json
	StatusAsOf  time.Time // observed_at of the first status sweep; as-of for the shares
	StatusLater time.Time // observed_at of the second status sweep (the reported UK accounts)

	DiplomatPosts   int     // posts by the 189 diplomat accounts (201,382 in the study)
	UKPosts         int     // of which the UK ambassador and embassy (~3,070)
	StateMediaPosts int     // posts by the 176 state-media accounts (~700 k)
	PostSpread      float64 // sigma of the log-normal spread of posts over accounts
	PopSpread       float64 // sigma of the log-normal spread of popularity over accounts
	PostNoise       float64 // sigma of the per-post log-normal engagement factor
	ViralProb       float64 // probability that a diplomat post (not the UK pair's) goes viral
	ViralMult       float64 // engagement multiplier of a viral post

	// Organic engagement per diplomat post (means before popularity factors).
	RepostsPerPost   float64
	RepliesPerPost   float64
	QuotesPerPost    float64
	LikesPerRepost   float64 // like_count ≈ LikesPerRepost × all engagement, log-normal noise
	UKRepostsOrg     float64 // organic reposts per UK post (the network adds the rest)
	UKRepliesOrg     float64
	SMRepostsPerPost float64 // organic engagement per state-media post (kept light)
	SMRepliesPerPost float64
	SMQuotesPerPost  float64
	SMLikesPerPost   float64
	// SMUnseenPerPost: comments and shares a state-media post's public counts carry beyond its
	// engagement events (× popularity × post factor): real collections hold counts of far more
	// engagement than the events they sample, and the reference study's 27 M comments and
	// shares are counts. 60 % reposts, 30 % replies, 10 % quotes.
	SMUnseenPerPost float64

	Amplifiers    int     // organic amplifier population at scale 1
	RepostZipf    float64 // exponent a of the power law choosing who reposts (sampleRank)
	ReplyZipf     float64 // exponent a of the power law choosing who replies
	ActivityHead  float64 // q0 of sampleRank: flattens the very top of both laws
	TopSuspend    float64 // P(suspended by StatusAsOf) for the top 1 % of the population
	BaseSuspend   float64 // … for the rest
	DeleteProb    float64 // P(deleted by StatusAsOf)
	LaterSuspend  float64 // P(active at StatusAsOf, suspended at StatusLater)
	RepostLatency float64 // median seconds from post to organic repost (log-normal)
	ReplyLatency  float64
	LatencySpread float64
	ViralLatency  float64 // mean seconds of the exponential latency of viral reposts

	// The UK network; its membership is the sum of UKBatchSizes (62).
	UKCrew        int     // members on duty for a post: consecutive, from a random start
	UKFireProb    float64 // probability that the network acts on a UK post
	UKRepostProb  float64 // per crew member, given the network acts
	UKReplyProb   float64 // probability that a UK post gets network replies
	UKReplyMean   float64 // extra network replies per replied post (Poisson, plus one)
	UKSuspended   int     // suspended at StatusAsOf
	UKDeleted     int     // deleted at StatusAsOf
	UKBatchSizes  []int   // creation batches
	UKBatchStarts []time.Time

	// Other planted styles.
	CopyCells      int // copy-paste text cells
	CopyCellSize   int
	CopyTargets    int     // diplomat accounts each copy cell replies to
	CopyFireProb   float64 // probability that a cell replies to a target post
	LinkCells      int     // link-sharing cells
	LinkCellSize   int
	LinkTargets    int // state-media accounts each link cell quotes
	LinkFireProb   float64
	Spreaders      int     // fast super-spreaders
	SpreaderFollow int     // diplomat accounts each spreader reposts
	SpreaderRate   float64 // share of those accounts' posts it reposts
	SpreaderBatch  float64 // mean reposts per session
	SpreaderGap    float64 // mean seconds between reposts inside a session
	SpreadersSusp  int     // spreaders suspended at StatusAsOf

	// Hard negatives.
	FanAccounts  int     // diplomat accounts with fans
	FansPer      int     // fans per such account
	FanRate      float64 // share of the account's posts a fan reposts
	FanLatency   float64 // median seconds of a fan's repost latency
	NewsBots     int     // bots reposting every post of one state-media account
	NewsBotDelay float64 // mean seconds of a news bot's delay (plus 5 s)

	SnapshotShare float64 // share of posts with an earlier, second count snapshot
	Shards        int     // output files; fixed so that output does not depend on CPUs
	PageSize      int     // tweets per twarc2 page
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// prc2021 is the preset calibrated to the Oxford/AP 2021 study; see docs/simulate.md.
func prc2021() params {
	return params{
		Start:       day(2020, 6, 9),
		End:         day(2021, 2, 23),
		CollectedAt: time.Date(2021, 2, 24, 3, 0, 0, 0, time.UTC),
		LabelObsAt:  day(2021, 2, 22),
		LabelAsOf:   day(2021, 2, 23),
		StatusAsOf:  day(2021, 3, 1),
		StatusLater: day(2021, 5, 5),

		DiplomatPosts:   201382,
		UKPosts:         3070,
		StateMediaPosts: 700000,
		PostSpread:      1.0,
		PopSpread:       1.1,
		PostNoise:       0.8,
		ViralProb:       0.003,
		ViralMult:       40,

		RepostsPerPost:   5.35,
		RepliesPerPost:   4.55,
		QuotesPerPost:    0.35,
		LikesPerRepost:   3.1,
		UKRepostsOrg:     8.9,
		UKRepliesOrg:     15.7,
		SMRepostsPerPost: 0.3,
		SMRepliesPerPost: 0.08,
		SMQuotesPerPost:  0.02,
		SMLikesPerPost:   507,
		SMUnseenPerPost:  39,

		Amplifiers:    300000,
		RepostZipf:    1.33,
		ReplyZipf:     0.9,
		ActivityHead:  0.002,
		TopSuspend:    0.15,
		BaseSuspend:   0.05,
		DeleteProb:    0.01,
		LaterSuspend:  0.02,
		RepostLatency: 2400,
		ReplyLatency:  3600,
		LatencySpread: 1.6,
		ViralLatency:  240,

		UKCrew:       10,
		UKFireProb:   0.85,
		UKRepostProb: 0.7,
		UKReplyProb:  0.85,
		UKReplyMean:  1.3,
		UKSuspended:  31,
		UKDeleted:    2,
		UKBatchSizes: []int{24, 21, 17},
		UKBatchStarts: []time.Time{
			time.Date(2020, 4, 14, 2, 10, 0, 0, time.UTC),
			time.Date(2020, 5, 20, 9, 40, 0, 0, time.UTC),
			time.Date(2020, 6, 2, 13, 5, 0, 0, time.UTC),
		},

		CopyCells:    3,
		CopyCellSize: 10,
		CopyTargets:  8,
		CopyFireProb: 0.12,
		LinkCells:    2,
		LinkCellSize: 8,
		LinkTargets:  6,
		LinkFireProb: 0.05,

		Spreaders:      8,
		SpreaderFollow: 25,
		SpreaderRate:   0.5,
		SpreaderBatch:  8,
		SpreaderGap:    3,
		SpreadersSusp:  5,

		FanAccounts:  10,
		FansPer:      4,
		FanRate:      0.5,
		FanLatency:   35,
		NewsBots:     10,
		NewsBotDelay: 15,

		SnapshotShare: 0.1,
		Shards:        4,
		PageSize:      100,
	}
}
