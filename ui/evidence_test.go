package ui

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"oawizard/flow"
)

// evidenceKinds are the evidence the verdicts write, one of each kind.
var evidenceKinds = []flow.Check{
	{ID: "oa_verified", Status: flow.StatusFail, Evidence: flow.Evidence{Source: "api", Field: "verify_type_info.id", Value: "-1", At: time.Now()}},
	{ID: "oa_bound", Status: flow.StatusFail, Evidence: flow.Evidence{Source: "api", Field: "open/get", Value: "89002"}},
	{ID: "oa_bound", Status: flow.StatusPass, Evidence: flow.Evidence{Source: "data", Field: "unionid", Value: "39989/50000"}},
	{ID: "mp_bound", Status: flow.StatusPass, Evidence: flow.Evidence{Source: "data", Field: "unionid", Value: "5000/5000"}},
	{ID: "same_open_account", Status: flow.StatusPass, Evidence: flow.Evidence{Source: "data", Field: "matched_unionids", Value: "4321"}},
	{ID: "same_open_account", Status: flow.StatusFail, Evidence: flow.Evidence{Source: "data", Field: "matched_unionids", Value: "0 of 5000/39989"}},
	{ID: "sdk_openid", Status: flow.StatusPass, Evidence: flow.Evidence{Source: "data", Field: "with_openid", Value: "5000/5000"}},
	{ID: "sdk_unionid", Status: flow.StatusFail, Evidence: flow.Evidence{Source: "data", Field: "with_unionid", Value: "0/5000"}},
	{ID: "same_principal", Status: flow.StatusPass, Evidence: flow.Evidence{Source: "self", Field: "principal_name", Value: "青禾 / 青禾", At: time.Now()}},
}

var details = regexp.MustCompile(`(?s)<details>.*?</details>`)

// Every kind of evidence reads in words with its numbers, on the badges
// and in the HTML report; the raw field and value only behind the staff's
// toggle.
func TestEvidenceReadsInWordsEverywhere(t *testing.T) {
	defer onUIDo(func() { SetupLanguage(LangZH) })
	for _, l := range []string{LangZH, LangEN} {
		onUIDo(func() { SetupLanguage(l) })
		for _, c := range evidenceKinds {
			b := newBadge(c.ID, func(string, string) {}, func(string) {}, nil)
			b.set(c)
			if rawField.MatchString(b.evidence.Text) || c.Evidence.Value == "" {
				t.Errorf("%s %s: the admin reads %q", l, c.ID, b.evidence.Text)
			}
			if c.Evidence.Source == "data" {
				n := strings.Split(strings.TrimPrefix(c.Evidence.Value, "0 of "), "/")[0]
				if !strings.Contains(b.evidence.Text, n) {
					t.Errorf("%s %s: %q lacks the count %s", l, c.ID, b.evidence.Text, n)
				}
			}
			if b.rawBox.Hidden || !strings.Contains(b.raw.Text, c.Evidence.Field) {
				t.Errorf("%s %s: raw evidence %q not behind the toggle", l, c.ID, b.raw.Text)
			}
		}
		var out bytes.Buffer
		if err := flow.WriteHTML(&out, flow.ReportDoc{Report: flow.Report{Checks: evidenceKinds}}, Tf); err != nil {
			t.Fatal(err)
		}
		html := out.String()
		if shown := details.ReplaceAllString(html, ""); rawField.MatchString(shown) || !strings.Contains(shown, "5000") {
			t.Errorf("%s: the report shows %q", l, rawField.FindString(shown))
		}
		if !strings.Contains(html, "<details><summary>"+T("details.staff")) || !strings.Contains(html, "with_openid = 5000/5000") {
			t.Errorf("%s: the report keeps no raw evidence for staff", l)
		}
	}
}
