package flow

import "html/template"

// reportTmpl is the report's page. A demo report carries its mark three
// ways so no page of it can pass for a customer's: a banner at the top, a
// fixed strip that browsers repeat on every printed page, and the printed
// page's header and footer (CSS @page margin boxes, where supported).
var reportTmpl = template.Must(template.New("report").Parse(`<!doctype html>
<html lang="{{call .T "report.html_lang"}}"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;max-width:960px;margin:2em auto;color:#222}
.stats{display:flex;gap:2em}.stat b{display:block;font-size:1.8em;color:#06a152}
.badge{border:1px solid #e3e5e8;border-radius:6px;padding:.6em;margin:.4em 0}
.pass{background:#1a9c4b}.warning{background:#c77c00}.fail{background:#d93a2b}.unknown,.incomplete{background:#8a8f98}
.chip{color:#fff;border-radius:4px;padding:.1em .5em;margin-right:.5em}.ev{color:#666;font-size:.85em}.fix{color:#9a5b00}
.overall{border:2px solid #e3e5e8;border-radius:8px;padding:.8em;margin:1em 0}.sync p{margin:.3em 0}
.version{color:#666;font-size:.85em}
.diag{background:#f6f7f9;border:1px solid #e3e5e8;border-radius:6px;padding:.8em;white-space:pre-wrap;font-size:.85em}
{{if .Demo}}.demo-banner{background:#fff4d6;border:2px solid #c77c00;border-radius:6px;padding:.6em;font-weight:bold;margin:1em 0}
.demo-strip{position:fixed;top:0;left:0;right:0;background:#c77c00;color:#fff;text-align:center;font-size:.85em;padding:.2em}
body{padding-top:1.6em}
@page{@top-center{content:"{{.DemoMark}}"}@bottom-center{content:"{{.DemoMark}}"}}{{end}}</style></head>
<body>{{if .Demo}}<div class="demo-strip">{{.DemoMark}}</div>{{end}}
<h1>{{.Title}}</h1>{{if .Demo}}<div class="demo-banner">{{.DemoBanner}}</div>{{end}}
<p>{{call .T "report.generated"}} {{.When}} <span class="version">{{.Version}}</span></p>
<p>{{call .T "report.oa"}} {{if .R.Accounts.OAName}}{{.R.Accounts.OAName}} {{end}}({{.R.Accounts.OAAppID}}){{if .MPs}}<br>{{call .T "report.mp"}} {{.MPs}}{{end}}
<br>{{call .T "report.synced_at"}} {{if .SyncAt}}{{.SyncAt}}{{else}}{{call .T "report.not_synced"}}{{end}}</p>
<div class="overall" id="overall"><h2>{{call .T "report.overall"}}</h2><span class="chip {{.Overall}}">{{call .T (printf "report.overall.%s.word" .Overall)}}</span>
{{call .T (printf "report.overall.%s" .Overall)}}</div>
<div class="sync" id="sync"><h2>{{call .T "report.sync"}}</h2>{{range .Sync}}<p>{{.}}</p>{{end}}</div>
<h2>{{call .T "result.title"}}</h2>
<div class="stats">
<div class="stat"><b>{{.R.Sync.Followers}}</b>{{.Followers}}</div>
<div class="stat"><b>{{.UnionShare}}</b>{{call .T "result.with_unionid"}}</div>
<div class="stat"><b>{{.R.Overlap.Matched}}</b>{{call .T "report.matched"}} ({{.SDKShare}} / {{.FolShare}})</div>
<div class="stat"><b>{{.R.Overlap.OpenIDOnly}}</b>{{call .T "result.openid_only"}}</div>
</div>
<h2>{{call .T "result.chart"}}</h2>{{.Chart}}<p class="ev">{{call .T "result.chart_note"}}</p>
<h2>{{call .T "report.checks"}}</h2>
{{range .Badges}}<div class="badge"><span class="chip {{.Status}}">{{.Word}}</span><b>{{.Title}}</b>
{{if .Reason}}<div>{{.Reason}}</div>{{end}}<div class="ev">{{.Evidence}}{{if .Raw}}<details><summary>{{call $.T "details.staff"}}</summary>{{.Raw}}</details>{{end}}</div>{{if .Remedy}}<div class="fix">{{.Remedy}}</div>{{end}}</div>{{end}}
{{if .Diagnostics}}<h2>{{call .T "report.diagnostics"}}</h2><pre class="diag" id="diagnostics">{{.Diagnostics}}</pre>{{end}}
<p class="ev">{{call .T "report.privacy"}}</p>{{if .Demo}}<div class="demo-banner">{{.DemoBanner}}</div>{{end}}</body></html>
`))
