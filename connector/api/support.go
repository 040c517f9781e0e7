package api

import "time"

// Words is one text in each of the wizard's languages, keyed by locale
// ("zh-Hans", "en"): staff read the console in theirs.
type Words map[string]string

// Snapshot is what the wizard shows its admin, as published to staff
// (API.md, POST /v1/support/snapshot): checks and progress in words, ids
// masked as in the report, never follower data.
type Snapshot struct {
	// Code is the support code from the previous publish; "" asks for one.
	Code string `json:"code,omitempty"`
	// Publishing false tells staff the admin turned sharing off; the
	// snapshot then carries nothing else.
	Publishing bool          `json:"publishing"`
	Version    string        `json:"version,omitempty"`
	Step       Words         `json:"step,omitempty"`
	OAAppID    string        `json:"oa_appid,omitempty"`
	OAName     string        `json:"oa_name,omitempty"`
	Checks     []SupportItem `json:"checks,omitempty"`
	Sync       *SupportSync  `json:"sync,omitempty"`
}

// SupportItem is one check as staff see it.
type SupportItem struct {
	ID       string `json:"id"`
	Status   string `json:"status"` // pass | warning | fail | unknown
	Title    Words  `json:"title"`
	Reason   Words  `json:"reason,omitempty"`
	Evidence Words  `json:"evidence,omitempty"`
	Raw      string `json:"raw,omitempty"` // field = value, ids masked
}

// SupportSync is the follower sync's progress.
type SupportSync struct {
	State       string `json:"state"` // none | running | done | stopped
	Stored      int64  `json:"stored"`
	Total       int64  `json:"total,omitempty"`
	WithUnionID int64  `json:"with_unionid"`
	Stopped     Words  `json:"stopped,omitempty"` // why it stopped, in words
}

// SupportCode is the code staff type into the console, the answer to a
// published snapshot.
type SupportCode struct {
	Code      string    `json:"code"`
	ExpiresAt time.Time `json:"expires_at"`
}
