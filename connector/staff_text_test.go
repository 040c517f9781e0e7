package connector

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// The console's words come from the translation files, both languages hold
// the same keys, and every key the console's code and page name is there.
func TestStaffWordsAreInTheTranslationFiles(t *testing.T) {
	if staffTextsErr != nil {
		t.Fatal(staffTextsErr)
	}
	zh, en := staffTexts["zh-Hans"], staffTexts["en"]
	if len(zh) == 0 || len(en) == 0 {
		t.Fatalf("no staff words: zh-Hans %d keys, en %d keys", len(zh), len(en))
	}
	for _, pair := range []struct {
		name     string
		has, not map[string]string
	}{{"zh-Hans", zh, en}, {"en", en, zh}} {
		for k, v := range pair.has {
			if v == "" {
				t.Errorf("%s: %q is empty", pair.name, k)
			}
			if _, ok := pair.not[k]; !ok {
				t.Errorf("%q is in %s only", k, pair.name)
			}
		}
	}
	sources, err := filepath.Glob("staff*.go")
	if err != nil {
		t.Fatal(err)
	}
	used := regexp.MustCompile(`\.t\("([a-z0-9_.]*[a-z0-9_])"|\{\{ ?t "([a-z0-9_.]*[a-z0-9_])"`)
	for _, f := range append(sources, "staffweb/console.html") {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range used.FindAllStringSubmatch(string(src), -1) {
			key := m[1] + m[2]
			if !tr("zh-Hans").has(key) || !tr("en").has(key) {
				t.Errorf("%s names %q, which the translation files lack", f, key)
			}
		}
	}
	if got := tr("en").t("sync.done", "3,000", "2,900"); got != "Complete: 3,000 followers, 2,900 with a unionid." {
		t.Errorf("en sync.done reads %q", got)
	}
}

// Every reason health can give has the console's words: none reads as an
// internal error to staff.
func TestStaffHasWordsForEveryHealthReason(t *testing.T) {
	for _, r := range []string{ReasonTicketMissing, ReasonTicketStalled, ReasonPushSignatureInvalid, ReasonUnreachable,
		ReasonIPNotWhitelisted, ReasonWeChatBusy, ReasonWeChatError, ReasonStoreUnavailable, ReasonInternal} {
		for _, l := range []tr{"zh-Hans", "en"} {
			if !l.has("reason." + r) {
				t.Errorf("%s: no words for %s", l, r)
			}
		}
	}
	if got := causeWords("en", Cause{Reason: ReasonTicketStalled}); got == tr("en").t("reason.internal_error") {
		t.Errorf("a stalled ticket reads %q", got)
	}
}
