package event

// Batch is a columnar-friendly bundle of events: what a connector emits per call and what a
// store appends in one go. The zero Batch is empty and ready to use.
type Batch struct {
	Accounts    []Account
	Posts       []Post
	Engagements []Engagement
	Shares      []Share
	Statuses    []StatusObservation
	Labels      []LabelObservation
	Watch       []WatchEntry
	Rejects     []Reject
}

// Len is the number of events in the batch, rejects included.
func (b *Batch) Len() int {
	return len(b.Accounts) + len(b.Posts) + len(b.Engagements) + len(b.Shares) +
		len(b.Statuses) + len(b.Labels) + len(b.Watch) + len(b.Rejects)
}

// Reset empties the batch, keeping its capacity.
func (b *Batch) Reset() {
	b.Accounts = b.Accounts[:0]
	b.Posts = b.Posts[:0]
	b.Engagements = b.Engagements[:0]
	b.Shares = b.Shares[:0]
	b.Statuses = b.Statuses[:0]
	b.Labels = b.Labels[:0]
	b.Watch = b.Watch[:0]
	b.Rejects = b.Rejects[:0]
}

// Counts tallies events per kind; the import summary reconciles them.
type Counts struct {
	Accounts    int64 `json:"accounts"`
	Posts       int64 `json:"posts"`
	Engagements int64 `json:"engagements"`
	Shares      int64 `json:"shares"`
	Statuses    int64 `json:"status_observations"`
	Labels      int64 `json:"label_observations"`
	Watch       int64 `json:"watchlist"`
	Rejects     int64 `json:"rejects"`
}

// Add adds the events of b to c.
func (c *Counts) Add(b *Batch) {
	c.Accounts += int64(len(b.Accounts))
	c.Posts += int64(len(b.Posts))
	c.Engagements += int64(len(b.Engagements))
	c.Shares += int64(len(b.Shares))
	c.Statuses += int64(len(b.Statuses))
	c.Labels += int64(len(b.Labels))
	c.Watch += int64(len(b.Watch))
	c.Rejects += int64(len(b.Rejects))
}

// Plus returns c + d, field by field.
func (c Counts) Plus(d Counts) Counts {
	return Counts{c.Accounts + d.Accounts, c.Posts + d.Posts, c.Engagements + d.Engagements,
		c.Shares + d.Shares, c.Statuses + d.Statuses, c.Labels + d.Labels, c.Watch + d.Watch,
		c.Rejects + d.Rejects}
}

// Minus returns c − d, field by field.
func (c Counts) Minus(d Counts) Counts {
	return Counts{c.Accounts - d.Accounts, c.Posts - d.Posts, c.Engagements - d.Engagements,
		c.Shares - d.Shares, c.Statuses - d.Statuses, c.Labels - d.Labels, c.Watch - d.Watch,
		c.Rejects - d.Rejects}
}

// Total is the sum of all fields.
func (c Counts) Total() int64 {
	return c.Accounts + c.Posts + c.Engagements + c.Shares + c.Statuses + c.Labels + c.Watch + c.Rejects
}
