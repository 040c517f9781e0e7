package flow

import (
	"fmt"
	"html/template"
	"io"
	"strings"

	"oawizard/flow/sdkimport"
	"oawizard/flow/verdict"
)

// WriteHTML writes the report for the onboarding call as one self-contained
// HTML file: no scripts, no external files, the chart as inline SVG, ids
// masked and no secret. tf translates message keys. Evidence reads in
// words; the raw field and value wait in a closed details element for staff.
// A demo report says so on every page, on screen and on paper.
func WriteHTML(w io.Writer, d ReportDoc, tf Texts) error {
	t := func(k string) string { return tf(k, nil) }
	r := d.Report
	data := map[string]any{
		"T": t, "R": r, "Badges": reportBadges(r.Checks, tf), "Chart": template.HTML(svgChart(r)),
		"UnionShare": share(r.Sync.WithUnionID, r.Sync.Followers),
		"SDKShare":   fmt.Sprintf("%.1f%%", r.Overlap.ShareOfSDK*100),
		"FolShare":   fmt.Sprintf("%.1f%%", r.Overlap.ShareOfFollowers*100),
		"When":       r.GeneratedAt.Format("2006-01-02 15:04"),
		"MPs":        strings.Join(r.Accounts.MPAppIDs, ", "),
		"SyncAt":     "",
		"Title":      t("report.title"),
		"Version":    tf("report.version", map[string]any{"Version": d.Source.Version}),
		"Demo":       d.Source.Demo,
		"Overall":    d.Overall(),
		"Sync":       syncWords(d.Sync, tf),
		"Followers":  t("result.followers"),
		// The same words staff get pasted: one report carries both.
		"Diagnostics": d.Diagnostics,
	}
	if d.Source.Demo {
		data["Title"] = t("report.title_demo")
		data["DemoBanner"] = tf("report.demo.banner", map[string]any{"Scenario": d.Source.Scenario})
		data["DemoMark"] = t("report.demo.mark")
	}
	if d.Sync.Ran && !d.Sync.Complete {
		data["Followers"] = t("report.followers_partial")
	}
	if !r.Sync.At.IsZero() {
		data["SyncAt"] = r.Sync.At.Local().Format("2006-01-02 15:04")
	}
	return reportTmpl.Execute(w, data)
}

// reportBadge is one check as the report shows it.
type reportBadge struct {
	Title, Status, Word, Evidence, Raw, Reason, Remedy string
}

func reportBadges(checks []verdict.Check, tf Texts) []reportBadge {
	t := func(k string) string { return tf(k, nil) }
	var badges []reportBadge
	for _, c := range checks {
		b := reportBadge{Title: t("check." + c.ID + ".title"), Status: c.Status, Word: t("status." + c.Status),
			Evidence: EvidenceText(c, tf), Raw: maskEvidence(c.Evidence)}
		// Every check that did not pass says why; an unknown also says how
		// to make it known, so it is never read as a pass.
		if c.Status != verdict.Pass {
			b.Reason, b.Remedy = t(c.Reason), t(c.Remedy)
		}
		if c.Status == verdict.Unknown {
			b.Remedy = t("result.unknown_howto")
		}
		badges = append(badges, b)
	}
	return badges
}

// syncWords says how far the sync got, and for an incomplete one why it
// stopped and that the data decides nothing yet.
func syncWords(s SyncCompleteness, tf Texts) []string {
	counts := map[string]any{"Stored": Count(s.Stored), "Total": Count(s.Total)}
	switch {
	case !s.Ran:
		return []string{tf("report.sync.none", nil)}
	case s.Complete:
		return []string{tf("report.sync.complete", counts)}
	}
	first := tf("report.sync.partial", counts)
	if s.Total > 0 {
		first = tf("report.sync.partial_of", counts)
	}
	when := ""
	if !s.Resume.IsZero() {
		when = s.Resume.Local().Format("2006-01-02 15:04")
	}
	return []string{first, tf("report.stop."+s.Stop, map[string]any{"When": when}), tf("report.sync.no_verdict", nil)}
}

func share(a, b int64) string {
	if b == 0 {
		return "0%"
	}
	return fmt.Sprintf("%.1f%%", float64(a)*100/float64(b))
}

// maskEvidence hides ids that could identify a person; account appids and
// principal names are the customer's own and stay readable.
func maskEvidence(e verdict.Evidence) string {
	v := e.Value
	if strings.HasPrefix(v, "o") && len(v) >= 20 {
		v = sdkimport.Mask(v)
	}
	if e.Field == "" && v == "" {
		return ""
	}
	return e.Field + " = " + v
}

func svgChart(r Report) string {
	if len(r.Growth) == 0 {
		return ""
	}
	// Bars start at zero, as in the window: a cut-off axis exaggerates.
	hi, floor := 0, 0
	for _, d := range r.Growth {
		hi = max(hi, d.Cumulate)
	}
	const W, H = 720, 160
	bw := float64(W) / float64(len(r.Growth))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img">`, W, H+20, W, H+20)
	for i, d := range r.Growth {
		h := float64(d.Cumulate-floor) / float64(max(1, hi-floor)) * H
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#07c160"><title>%s: %d</title></rect>`,
			float64(i)*bw+bw*0.15, H-h, bw*0.7, h, d.Date, d.Cumulate)
	}
	fmt.Fprintf(&b, `<text x="0" y="%d" font-size="11">%s</text><text x="%d" y="%d" font-size="11" text-anchor="end">%s</text></svg>`,
		H+16, r.Growth[0].Date, W, H+16, r.Growth[len(r.Growth)-1].Date)
	return b.String()
}
