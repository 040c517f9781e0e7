package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"

	"oawizard/flow"
	"oawizard/flow/connclient"
	"oawizard/flow/sdkimport"
	"oawizard/flow/verdict"
)

// Every text the window can show exists in both languages.
func TestEveryKeyIsTranslated(t *testing.T) {
	keys := map[string]bool{}
	files, _ := filepath.Glob("*.go")
	files = append(files, "../flow/htmlreport.go")
	lit := regexp.MustCompile(`\bTf?\("([a-z0-9_.]+[a-z0-9])"|call \.T "([a-z0-9_.]+)"`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, _ := os.ReadFile(f)
		for _, m := range lit.FindAllStringSubmatch(string(src), -1) {
			keys[m[1]+m[2]] = true
		}
	}
	// Keys built at run time.
	for _, id := range append(append([]string{}, verdict.AccountChecks...), verdict.SDKChecks...) {
		keys["check."+id+".title"], keys["remedy."+id] = true, true
		for _, st := range []string{verdict.Pass, verdict.Fail, verdict.Unknown} {
			keys["check."+id+"."+st] = true
		}
	}
	for _, c := range verdict.Evaluate(verdict.Input{}) {
		keys[c.Reason] = true
	}
	for _, k := range []string{"check.verified.naming_pending", "check.verified.late_caveat", "check.same_principal.personal",
		"check.same_open_account.no_match", "check.sdk_unionid.zero", "perm.2.missing", "perm.3.missing", "perm.24.missing"} {
		keys[k] = true
	}
	for _, s := range []string{verdict.SourceAPI, verdict.SourceData, verdict.SourceSelf, verdict.SourceNone} {
		keys["evidence."+s] = true
	}
	for s := flow.StepAccounts; s <= flow.StepResult; s++ {
		keys["step."+s.String()] = true
	}
	for _, s := range []string{"accounts", "sdk"} {
		keys["nav.consequence."+s] = true
	}
	for _, s := range []string{"authorize", "sync"} {
		keys["nav.blocked."+s] = true
	}
	for _, r := range []string{"empty", "prefix", "length", "chars", "same", "repeated"} {
		keys["appid.error."+r] = true
	}
	for _, r := range []string{flow.DemoFreshStateLost, flow.DemoFreshNoKeychain, flow.DemoFreshRefused} {
		keys["auth.lost_demo."+r] = true
	}
	for _, k := range []sdkimport.Kind{sdkimport.KindEmpty, sdkimport.KindNoHeader, sdkimport.KindBinary, sdkimport.KindTooLarge, sdkimport.KindUnreadable} {
		keys[(&sdkimport.Error{Kind: k}).MessageKey()] = true
	}
	for _, k := range []connclient.Kind{connclient.KindBadURL, connclient.KindUnreachable, connclient.KindTLS, connclient.KindBadToken,
		connclient.KindForbidden, connclient.KindNotFound, connclient.KindReauthorize, connclient.KindRateLimited,
		connclient.KindWeChat, connclient.KindWaitingTicket, connclient.KindTicketStalled, connclient.KindBadRequest, connclient.KindProtocol, connclient.KindStoreUnavailable, connclient.KindNoAPI} {
		keys["error.connector."+string(k)] = true
	}
	for _, k := range flow.ViewKeys() {
		keys[k] = true
	}
	for _, f := range []string{"../flow/view.go"} {
		src, _ := os.ReadFile(f)
		for _, m := range regexp.MustCompile(`"((?:state|sync|auth|nav)\.[a-z0-9_.]+[a-z0-9])"`).FindAllStringSubmatch(string(src), -1) {
			keys[m[1]] = true
		}
	}
	for _, p := range []string{"listing", "fetching", "waiting", "done"} {
		keys["sync.phase."+p] = true
	}
	for _, loc := range []string{LangZH, LangEN} {
		data, err := mergedTranslations(loc)
		if err != nil {
			t.Fatal(err)
		}
		texts := map[string]string{}
		json.Unmarshal(data, &texts)
		for k := range keys {
			if strings.TrimSpace(texts[k]) == "" {
				t.Errorf("%s: no text for %q", loc, k)
			}
		}
	}
}

// Fyne's own buttons and dialogs speak the language chosen in the wizard,
// whatever the system's.
func TestFyneStringsFollowTheChosenLanguage(t *testing.T) {
	defer onUIDo(func() { SetupLanguage(LangZH) })
	for _, c := range []struct{ lang, cancel, yes string }{{LangZH, "取消", "是"}, {LangEN, "Cancel", "Yes"}} {
		if err := onUI(func() error { _, err := SetupLanguage(c.lang); return err }); err != nil {
			t.Fatal(err)
		}
		if got := lang.L("Cancel"); got != c.cancel {
			t.Errorf("%s: Cancel is %q", c.lang, got)
		}
		if got := lang.L("Yes"); got != c.yes {
			t.Errorf("%s: Yes is %q", c.lang, got)
		}
	}
}
