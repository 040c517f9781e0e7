package verdict

import "fmt"

// SDKPassShare is step 2's threshold: openid passes when at least this
// share of the export's identified rows carry a valid openid no other row
// has; unionid passes when at least this share of those rows also carry a
// valid unionid of their own. Below it and above zero the badge is amber
// (Warning), with the share: part of the data can be joined, not enough
// to rely on.
const SDKPassShare = 0.9

// SDKStats are step 2's counts (sdkimport.Stats, reduced to what rules
// need). Rows are the identified rows: data rows, not blank lines nor a
// second export's title row.
type SDKStats struct {
	Rows, WithOpenID, WithUnionID int
	// The SDK bugs seen, by the rows they spoiled.
	NoOpenID, PlaceholderOpenID, MalformedOpenID, DuplicateOpenID int
	PlaceholderUnionID, MalformedUnionID, UnionIDIsOpenID         int
}

// sdkBug is one SDK bug a badge can name: its count and its note, which
// says what the engineer must fix.
type sdkBug struct {
	rows int
	note string
}

// share judges an SDK check by the share of n in of: its status against
// the threshold, the count as its evidence and the share unrounded.
func (c Check) share(field string, n, of int) Check {
	c = c.with(shareStatus(n, of), Evidence{Source: SourceData, Field: field, Value: fmt.Sprintf("%d/%d", n, of)})
	c.SharePercent = percent(n, of)
	return c
}

func sdkOpenID(s *SDKStats) Check {
	c := base(SDKOpenID)
	if s == nil || s.Rows == 0 {
		// No rows is no evidence either way.
		return c
	}
	c = c.share("with_openid", s.WithOpenID, s.Rows)
	c.Note = worstBug(
		sdkBug{s.PlaceholderOpenID, "check.sdk.bug.placeholder_openid"},
		sdkBug{s.MalformedOpenID, "check.sdk.bug.malformed_openid"},
		sdkBug{s.DuplicateOpenID, "check.sdk.bug.duplicate_openid"},
		sdkBug{s.NoOpenID, "check.sdk.bug.no_openid"})
	return c
}

func sdkUnionID(s *SDKStats) Check {
	c := base(SDKUnionID)
	if s == nil || s.WithOpenID == 0 {
		// Without a usable openid no row can say anything about unionid.
		return c
	}
	c = c.share("with_unionid", s.WithUnionID, s.WithOpenID)
	c.Note = worstBug(
		sdkBug{s.UnionIDIsOpenID, "check.sdk.bug.unionid_is_openid"},
		sdkBug{s.PlaceholderUnionID, "check.sdk.bug.placeholder_unionid"},
		sdkBug{s.MalformedUnionID, "check.sdk.bug.malformed_unionid"})
	if c.Note == "" && c.Status == Fail {
		c.Note = "check.sdk_unionid.zero"
	}
	return c
}

// shareStatus applies SDKPassShare to n of total.
func shareStatus(n, total int) string {
	switch {
	case n == 0:
		return Fail
	case float64(n) >= SDKPassShare*float64(total):
		return Pass
	}
	return Warning
}

// percent is n of total in percent, for the badge's words and the JSON.
func percent(n, total int) *float64 {
	p := 100 * float64(n) / float64(total)
	return &p
}

// worstBug is the note of the bug that spoiled the most rows, "" when
// none did.
func worstBug(bugs ...sdkBug) string {
	best := sdkBug{}
	for _, b := range bugs {
		if b.rows > best.rows {
			best = b
		}
	}
	return best.note
}
