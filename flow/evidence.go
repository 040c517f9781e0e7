package flow

import (
	"fmt"
	"strconv"

	"oawizard/flow/verdict"
)

// Texts translates a message key with named values.
type Texts func(key string, data map[string]any) string

// EvidenceText says in words where a badge's answer came from and, for
// what the data shows, the numbers behind it ("5000 of 5000 rows in your
// export carry an openid"). The raw field and value are for staff only:
// see EvidenceRaw.
func EvidenceText(c Check, tf Texts) string {
	e := c.Evidence
	if e.Source == SourceData {
		if key, data, ok := dataWords(c); ok {
			return tf(key, data)
		}
	}
	at := ""
	if !e.At.IsZero() {
		at = e.At.Local().Format("2006-01-02 15:04")
	}
	return tf("evidence."+e.Source, map[string]any{"Time": at})
}

// EvidenceRaw is the evidence's field and value as WeChat or the data
// named them, for customer-success staff; "" when there is none.
func EvidenceRaw(e Evidence) string {
	if e.Field == "" && e.Value == "" {
		return ""
	}
	return e.Field + " = " + e.Value
}

// dataWords picks the sentence for a count the data gave. The values are
// written by verdict as "a/b", "n" or "0 of a/b". Step 2's amber badge
// says its share as a percent beside the share it needs.
func dataWords(c Check) (string, map[string]any, bool) {
	id, e := c.ID, c.Evidence
	var a, b int
	pair := func() bool {
		n, err := fmt.Sscanf(e.Value, "%d/%d", &a, &b)
		return err == nil && n == 2
	}
	switch e.Field {
	case "with_openid", "with_unionid":
		if pair() && c.Status == verdict.Warning && c.SharePercent != nil {
			return "evidence.data." + e.Field + "_share", map[string]any{"A": Count(a), "B": Count(b),
				"Percent": wholePercent(*c.SharePercent), "Need": wholePercent(100 * verdict.SDKPassShare)}, true
		}
		if pair() {
			return "evidence.data." + e.Field, map[string]any{"A": a, "B": b}, true
		}
	case "unionid":
		// The same field counts followers for the Official Account and
		// export rows for the mini-program.
		if pair() && (id == verdict.OABound || id == verdict.MPBound) {
			return "evidence.data." + id, map[string]any{"A": a, "B": b}, true
		}
	case "matched_unionids":
		if n, err := fmt.Sscanf(e.Value, "0 of %d/%d", &a, &b); err == nil && n == 2 {
			return "evidence.data.no_match", map[string]any{"A": a, "B": b}, true
		}
		if n, err := fmt.Sscanf(e.Value, "%d", &a); err == nil && n == 1 {
			return "evidence.data.matched", map[string]any{"A": a}, true
		}
	}
	return "", nil, false
}

// wholePercent writes a share in whole percent rounded down, as a share
// short of the threshold must never read as reaching it, and a share above
// zero never as none: "< 1".
func wholePercent(p float64) string {
	if p > 0 && p < 1 {
		return "< 1"
	}
	return strconv.Itoa(int(p))
}
