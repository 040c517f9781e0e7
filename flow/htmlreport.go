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
func WriteHTML(w io.Writer, r Report, tf Texts) error {
	t := func(k string) string { return tf(k, nil) }
	type badge struct {
		Title, Status, Word, Evidence, Raw, Reason, Remedy string
	}
	var badges []badge
	for _, c := range r.Checks {
		b := badge{Title: t("check." + c.ID + ".title"), Status: c.Status, Word: t("status." + c.Status),
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
	data := map[string]any{
		"T": t, "R": r, "Badges": badges, "Chart": template.HTML(svgChart(r)),
		"UnionShare": share(r.Sync.WithUnionID, r.Sync.Followers),
		"SDKShare":   fmt.Sprintf("%.1f%%", r.Overlap.ShareOfSDK*100),
		"FolShare":   fmt.Sprintf("%.1f%%", r.Overlap.ShareOfFollowers*100),
		"When":       r.GeneratedAt.Format("2006-01-02 15:04"),
		"MPs":        strings.Join(r.Accounts.MPAppIDs, ", "),
		"SyncAt":     "",
	}
	if !r.Sync.At.IsZero() {
		data["SyncAt"] = r.Sync.At.Local().Format("2006-01-02 15:04")
	}
	return reportTmpl.Execute(w, data)
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

var reportTmpl = template.Must(template.New("report").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{call .T "report.title"}}</title>
<style>body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;max-width:960px;margin:2em auto;color:#222}
.stats{display:flex;gap:2em}.stat b{display:block;font-size:1.8em;color:#06a152}
.badge{border:1px solid #e3e5e8;border-radius:6px;padding:.6em;margin:.4em 0}
.pass{background:#1a9c4b}.fail{background:#d93a2b}.unknown{background:#8a8f98}
.chip{color:#fff;border-radius:4px;padding:.1em .5em;margin-right:.5em}.ev{color:#666;font-size:.85em}.fix{color:#9a5b00}</style></head>
<body><h1>{{call .T "report.title"}}</h1><p>{{call .T "report.generated"}} {{.When}}</p>
<p>{{call .T "report.oa"}} {{if .R.Accounts.OAName}}{{.R.Accounts.OAName}} {{end}}({{.R.Accounts.OAAppID}}){{if .MPs}}<br>{{call .T "report.mp"}} {{.MPs}}{{end}}
<br>{{call .T "report.synced_at"}} {{if .SyncAt}}{{.SyncAt}}{{else}}{{call .T "report.not_synced"}}{{end}}</p>
<h2>{{call .T "result.title"}}</h2>
<div class="stats">
<div class="stat"><b>{{.R.Sync.Followers}}</b>{{call .T "result.followers"}}</div>
<div class="stat"><b>{{.UnionShare}}</b>{{call .T "result.with_unionid"}}</div>
<div class="stat"><b>{{.R.Overlap.Matched}}</b>{{call .T "report.matched"}} ({{.SDKShare}} / {{.FolShare}})</div>
<div class="stat"><b>{{.R.Overlap.OpenIDOnly}}</b>{{call .T "result.openid_only"}}</div>
</div>
<h2>{{call .T "result.chart"}}</h2>{{.Chart}}<p class="ev">{{call .T "result.chart_note"}}</p>
<h2>{{call .T "report.checks"}}</h2>
{{range .Badges}}<div class="badge"><span class="chip {{.Status}}">{{.Word}}</span><b>{{.Title}}</b>
{{if .Reason}}<div>{{.Reason}}</div>{{end}}<div class="ev">{{.Evidence}}{{if .Raw}}<details><summary>{{call $.T "details.staff"}}</summary>{{.Raw}}</details>{{end}}</div>{{if .Remedy}}<div class="fix">{{.Remedy}}</div>{{end}}</div>{{end}}
<p class="ev">{{call .T "report.privacy"}}</p></body></html>
`))
