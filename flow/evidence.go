package flow

import (
	"fmt"

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
		if key, data, ok := dataWords(c.ID, e); ok {
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
// written by verdict as "a/b", "n" or "0 of a/b".
func dataWords(id string, e Evidence) (string, map[string]any, bool) {
	var a, b int
	pair := func() bool {
		n, err := fmt.Sscanf(e.Value, "%d/%d", &a, &b)
		return err == nil && n == 2
	}
	switch e.Field {
	case "with_openid", "with_unionid":
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
