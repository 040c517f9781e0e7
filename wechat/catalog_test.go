package wechat

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// referenceCodes are the codes of reference §7; the catalogue must hold
// exactly these.
var referenceCodes = []int{-1, 40001, 40003, 40013, 40014, 40029, 40032, 40125, 40164, 40170, 40226, 41001, 41004, 41018,
	41033, 42001, 42007, 43001, 43002, 43003, 44002, 45009, 45011, 47001, 48001, 48004, 48006, 50001, 50002, 61003, 61004,
	61005, 61006, 61007, 61010, 61011, 61014, 61016, 61023, 61024, 61501, 76021, 76022, 89000, 89001, 89002, 89003, 89004, 89036}

func hasCJK(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

func TestCatalogueCoversTheReference(t *testing.T) {
	var have []int
	for c := range catalog {
		have = append(have, c)
	}
	slices.Sort(have)
	want := slices.Clone(referenceCodes)
	slices.Sort(want)
	if !slices.Equal(have, want) {
		t.Fatalf("catalogue codes differ from the reference:\n have %v\n want %v", have, want)
	}
	for _, c := range referenceCodes {
		zh, en := Explain(c, "", "", LangZH), Explain(c, "", "", LangEN)
		if !zh.Known || zh.Meaning == "" || zh.Remedy == "" || !hasCJK(zh.Meaning) || !hasCJK(zh.Remedy) {
			t.Errorf("%d: Chinese text missing or not Chinese: %+v", c, zh)
		}
		// English remedies name the Chinese menu items admins click, so only
		// the meaning must be free of Chinese.
		if en.Meaning == "" || en.Remedy == "" || hasCJK(en.Meaning) {
			t.Errorf("%d: English meaning missing or Chinese: %+v", c, en)
		}
		if strings.Contains(zh.Meaning, "errcode") || strings.Contains(zh.Remedy+en.Remedy, "{") {
			t.Errorf("%d: jargon or an unfilled placeholder", c)
		}
	}
}

func TestWhitelistAdviceNamesTheIPAndWhoseJobItIs(t *testing.T) {
	a := Explain(61004, "access clientip is not registered requestIP: 203.0.113.9", "rid1", LangZH)
	if a.IP != "203.0.113.9" || a.Owner != OwnerVendor || !strings.Contains(a.Remedy, "203.0.113.9") || !strings.Contains(a.Remedy, "无需修改") {
		t.Fatalf("61004: %+v", a)
	}
	b := Explain(40164, "invalid ip 8.149.1.2 ipv6 ::ffff:8.149.1.2, not in whitelist", "", LangEN)
	if b.IP != "8.149.1.2" || b.Owner != OwnerAdmin || !strings.Contains(b.Remedy, "8.149.1.2") || !strings.Contains(b.Remedy, "IP白名单") {
		t.Fatalf("40164: %+v", b)
	}
	c := Explain(61004, "access clientip is not registered requestIP: 2001:db8::7", "", LangEN)
	if c.IP != "2001:db8::7" {
		t.Fatalf("IPv6: %+v", c)
	}
	d := Explain(61004, "access clientip is not registered", "", LangZH)
	if d.IP != "" || !strings.Contains(d.Remedy, "其服务器的 IP") {
		t.Fatalf("no IP: %+v", d)
	}
}

func TestUnknownCodesDegradeGracefully(t *testing.T) {
	for _, l := range []Lang{LangZH, LangEN} {
		a := Explain(99999, "something new rid: 66aa-bb", "", l)
		// The code and request id stay in the advice and the error for
		// staff; the admin's sentence says who can help.
		if a.Known || a.Meaning == "" || a.Code != 99999 || a.RID != "66aa-bb" || strings.Contains(a.Remedy, "99999") {
			t.Fatalf("%s: %+v", l, a)
		}
	}
}

func TestDescribe(t *testing.T) {
	err := fmt.Errorf("sync: %w", &APIError{Code: 45009, Msg: "reach max api daily quota limit", RID: "r9"})
	zh := Describe(err, LangZH)
	if !strings.Contains(zh, "调用次数已用完") || strings.Contains(zh, "45009") || strings.Contains(zh, "r9") {
		t.Fatal(zh)
	}
	if en := Describe(fmt.Errorf("dial tcp: refused"), LangEN); !strings.Contains(en, "network") {
		t.Fatal(en)
	}
	if a := (&APIError{Code: 61023}).Advice(LangZH); !a.NeedsReauthorization {
		t.Fatal("61023 must ask for re-authorization")
	}
	if a := Explain(-1, "system error", "", LangZH); !a.Retryable || a.Owner != OwnerRetry {
		t.Fatal("-1 must be retryable")
	}
}

// adminJargon marks of text an admin should not have to read: raw
// codes, field names and placeholders filled with nothing.
var adminJargon = regexp.MustCompile(`错误码|errcode|error code|请求编号|request id|rid|\{|\}|未给出|not given|（\s*）|\(\s*\)|  |加入 （|加入\s*。|add\s*:`)

func TestEveryDescriptionIsInWordsWithoutCodesOrGaps(t *testing.T) {
	codes := append(slices.Clone(referenceCodes), 99999)
	msgs := []string{"", "access clientip is not registered requestIP: 203.0.113.9", "invalid ip 8.149.1.2 ipv6 ::ffff:8.149.1.2, not in whitelist"}
	for _, l := range []Lang{LangZH, LangEN} {
		for _, c := range codes {
			for _, m := range msgs {
				text := Describe(fmt.Errorf("call: %w", &APIError{Code: c, Msg: m, RID: "66aa-bb"}), l)
				if adminJargon.MatchString(text) || (c != -1 && strings.Contains(text, strconv.Itoa(c))) || strings.Contains(text, "66aa-bb") {
					t.Errorf("%s %d %q: %q", l, c, m, text)
				}
			}
		}
	}
}
