package wechatsim

import (
	"html/template"
	"net/http"
)

// The pages are plain HTML forms sized for a phone's screen, Chinese first
// with English under it, so they also work in any browser when BrowserAuth
// is on. 授权 comes first in the form, so Enter confirms rather than
// cancels; the row is reversed to show 取消 on the left as WeChat does.
var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0 auto;max-width:36em;padding:1em 1.2em;color:#222;line-height:1.5}
h1{font-size:1.3em}.en{color:#777;font-size:.9em}.sim{background:#fff7e0;border-radius:6px;padding:.5em .8em;font-size:.9em}
fieldset{border:1px solid #ddd;border-radius:8px;margin:1em 0;padding:.6em .9em}legend{padding:0 .3em;font-weight:bold}
label{display:flex;align-items:center;gap:.6em;padding:.55em 0;border-bottom:1px solid #f0f0f0}label:last-child{border:0}
input[type=radio],input[type=checkbox]{width:1.3em;height:1.3em;flex:none}
.btns{display:flex;gap:.8em;margin-top:1.2em}button,a.btn{flex:1;font-size:1.05em;padding:.8em;border-radius:6px;border:0;text-align:center;text-decoration:none}
.rev{flex-direction:row-reverse}.ok{background:#07c160;color:#fff}.cancel{background:#eee;color:#222}</style>
</head>
<body data-wechatsim-page="{{.Kind}}"{{if .PageID}} data-page-id="{{.PageID}}"{{end}}>
<h1>{{.Title}}</h1>
{{if .Message}}<p class="msg">{{.Message}}</p>{{end}}{{if .MessageEN}}<p class="en">{{.MessageEN}}</p>{{end}}
{{if .ScanURL}}<p>使用微信扫一扫，选择要授权的账号并确认。</p><p class="en">Scan with WeChat, pick the account and confirm.</p>
<p><a id="scan" class="btn ok" data-scan-url="{{.ScanURL}}" href="{{.ScanURL}}">二维码{{if .Browser}}（模拟器：点此代替扫码 / Simulator: click instead of scanning）{{end}}</a></p>{{end}}
{{if .Identities}}<p class="sim">模拟器：真实的微信知道扫码的人是谁；这里请你选择。<br><span class="en">Simulator: real WeChat knows who scanned; here, choose.</span></p>
<form method="get" action="{{.Action}}">
{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">{{end}}
<fieldset><legend>你是谁？ / Who are you?</legend>
{{range $i, $e := .Identities}}<label><input type="radio" name="as" value="{{$e.Value}}"{{if eq $i 0}} checked{{end}}><span>{{$e.Label}}<br><span class="en">{{$e.LabelEN}}</span></span></label>{{end}}
</fieldset><div class="btns"><button class="ok">下一步 / Next</button></div></form>{{end}}
{{if .Accounts}}<form method="post" action="/wxaopen/safe/bindcomponent/confirm">
<input type="hidden" name="page" value="{{.PageID}}">
<fieldset><legend>授权的账号 / Account</legend>
{{range $i, $a := .Accounts}}<label><input type="radio" name="appid" value="{{$a.AppID}}"{{if eq $i 0}} checked{{end}}><span>{{$a.Label}}</span></label>{{end}}
</fieldset>
<fieldset><legend>授权的权限集 / Permission sets</legend>
{{range .Perms}}<label><input type="checkbox" name="perm" value="{{.ID}}" checked><span>{{.Name}}（{{.ID}}）</span></label>{{end}}
</fieldset>
<div class="btns rev"><button class="ok" name="do" value="confirm">授权 / Authorize</button>{{if .Browser}}<button class="cancel" name="do" value="cancel">取消 / Cancel</button>{{end}}</div></form>{{end}}
{{if .Link}}<div class="btns"><a class="btn cancel" href="{{.Link}}">{{.LinkText}}</a></div>{{end}}
</body></html>`))

type pageData struct {
	Kind, Title, Message, MessageEN, ScanURL, PageID string
	Browser                                          bool // BrowserAuth: the simulator's own hints and a 取消 button
	Accounts                                         []accountChoice
	Perms                                            []permChoice
	Identities                                       []identity
	Action                                           string
	Hidden                                           []hiddenField
	Link, LinkText                                   string
}

type accountChoice struct{ AppID, Label string }

type permChoice struct {
	ID   int
	Name string
}

type hiddenField struct{ Name, Value string }

func renderPage(w http.ResponseWriter, status int, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	pageTmpl.Execute(w, d)
}

func permChoices(ids []int) []permChoice {
	out := make([]permChoice, len(ids))
	for i, id := range ids {
		out[i] = permChoice{id, setNames[id]}
		if out[i].Name == "" {
			out[i].Name = "权限集 / Set"
		}
	}
	return out
}
