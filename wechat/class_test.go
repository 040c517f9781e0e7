package wechat

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// One class per code, read the same by every reader the package offers:
// ClassOf, ClassOfError and the advice's flags.
func TestEveryCodeHasOneClassEverywhere(t *testing.T) {
	fixed := map[int]Class{
		-1: ClassRetrySoon, 40001: ClassRetrySoon, 42001: ClassRetrySoon,
		45011: ClassRetryMinute, 45009: ClassDailyQuota,
		42007: ClassReauthorize, 61003: ClassReauthorize, 61010: ClassReauthorize, 61023: ClassReauthorize,
		48001: ClassNotPermitted, 50001: ClassNotPermitted, 61007: ClassNotPermitted, 61016: ClassNotPermitted,
		61004: ClassVendor, 61005: ClassVendor, 61006: ClassVendor, 40125: ClassVendor,
		50002: ClassAccountLimited,
		40164: ClassOther, 89002: ClassOther,
	}
	for code, want := range fixed {
		if got := ClassOf(code); got != want {
			t.Errorf("%d: %s, want %s", code, got, want)
		}
	}
	for _, code := range append(Codes(), 99999) {
		c := ClassOf(code)
		got, ok := ClassOfError(&APIError{Code: code, Path: "/cgi-bin/user/get"})
		if !ok || got != c {
			t.Errorf("%d: ClassOfError %s, ClassOf %s", code, got, c)
		}
		for _, l := range []Lang{LangZH, LangEN} {
			a := Explain(code, "", "", l)
			if a.Class != c || a.Retryable != (c == ClassRetrySoon || c == ClassRetryMinute) || a.NeedsReauthorization != (c == ClassReauthorize) {
				t.Errorf("%d %s: advice %+v disagrees with class %s", code, l, a, c)
			}
			if c == ClassVendor && a.Owner != OwnerVendor {
				t.Errorf("%d: the vendor's class, owner %s", code, a.Owner)
			}
		}
	}
	if _, ok := ClassOfError(errString("dial tcp: refused")); ok {
		t.Error("an error without a code has a class")
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// 45009 from the platform's own token call is the vendor's quota: the admin
// is not sent to reset the Official Account's.
func TestPlatformQuotaIsTheVendors(t *testing.T) {
	oa := &APIError{Code: 45009, Msg: "reach max api daily quota limit", Path: "/cgi-bin/user/info/batchget"}
	comp := &APIError{Code: 45009, Msg: "reach max api daily quota limit", Path: "/cgi-bin/component/api_component_token"}
	if c, _ := ClassOfError(comp); c != ClassVendor {
		t.Fatalf("component 45009: %s", c)
	}
	for _, l := range []Lang{LangZH, LangEN} {
		a, b := oa.Advice(l), comp.Advice(l)
		if a.Owner != OwnerAdmin || b.Owner != OwnerVendor || a.Remedy == b.Remedy {
			t.Fatalf("%s: %+v / %+v", l, a, b)
		}
	}
	if zh := comp.Advice(LangZH); !strings.Contains(zh.Remedy, "服务商的额度") || !strings.Contains(zh.Remedy, "无需") {
		t.Fatal(zh.Remedy)
	}
	if en := comp.Advice(LangEN); !strings.Contains(en.Remedy, "vendor's quota") || !strings.Contains(en.Remedy, "nothing to reset") {
		t.Fatal(en.Remedy)
	}
}

// 50002 says the account is limited and that authorizing again cannot help.
func TestAccountLimitedWords(t *testing.T) {
	zh, en := Explain(50002, "user limited", "", LangZH), Explain(50002, "user limited", "", LangEN)
	if !strings.Contains(zh.Meaning, "限制") || !strings.Contains(zh.Remedy, "无法解决") || strings.Contains(zh.Remedy, "重新扫码授权。") {
		t.Fatal(zh)
	}
	if !strings.Contains(en.Meaning, "limited") || !strings.Contains(en.Remedy, "cannot help") {
		t.Fatal(en)
	}
}

// The words live in the translation files, one key set for both locales,
// and the catalogue finds every key it asks for.
func TestTextsAreInBothLocales(t *testing.T) {
	textsOnce.Do(loadTexts)
	if textsErr != nil {
		t.Fatal(textsErr)
	}
	zh, en := slices.Sorted(maps.Keys(texts[LangZH])), slices.Sorted(maps.Keys(texts[LangEN]))
	if !slices.Equal(zh, en) {
		t.Fatalf("key sets differ:\n zh %v\n en %v", zh, en)
	}
	for _, code := range Codes() {
		for _, part := range []string{".meaning", ".remedy"} {
			if _, ok := texts[LangZH]["wechat.code."+strconv.Itoa(code)+part]; !ok {
				t.Errorf("%d has no %s", code, part)
			}
		}
	}
}

// The wizard's diagnoses name their cause in both languages.
func TestDiagnosisWordsNameTheirCause(t *testing.T) {
	for key, want := range map[string][2]string{
		"wechat.diagnosis.scan_stalled":      {"全网发布", "not yet released"},
		"wechat.diagnosis.held_elsewhere.24": {"另一家服务商", "another provider holds it"},
		"error.connector.no_api_permission":  {"重新扫码无法解决", "Scanning again cannot help"},
	} {
		zh, en := text(LangZH, key), text(LangEN, key)
		if !strings.Contains(zh, want[0]) || !strings.Contains(en, want[1]) || !hasCJK(zh) || zh == en {
			t.Errorf("%s:\n zh %q\n en %q", key, zh, en)
		}
	}
}
