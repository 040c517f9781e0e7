package ui

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"oawizard/flow"
	"oawizard/wechat"
)

// An error the catalogue does not know is shown as one plain sentence in
// the chosen language; the raw text waits behind the staff's toggle.
func TestUnknownErrorsShowNoRawText(t *testing.T) {
	for _, l := range []string{LangZH, LangEN} {
		onUIDo(func() { SetupLanguage(l) })
		err := errors.New("wechat: unexpected HTTP status 403")
		if got := errorText(err); got != T("error.unknown") || strings.Contains(got, "403") {
			t.Errorf("%s: the admin reads %q", l, got)
		}
		acc, ok := staffDetails(err).(*widget.Accordion)
		if !ok || len(acc.Items) != 1 || acc.Items[0].Open || !strings.Contains(acc.Items[0].Detail.(*widget.Label).Text, "403") {
			t.Errorf("%s: the raw text is not behind a closed toggle", l)
		}
	}
	onUIDo(func() { SetupLanguage(LangZH) })
}

// rawWeChat marks what an admin must not read in a WeChat error: codes,
// request ids, field names and placeholders filled with nothing.
var rawWeChat = regexp.MustCompile(`错误码|errcode|error code|请求编号|request id|\{|\}|未给出|not given|（\s*）|\(\s*\)|加入 （|加入\s*。`)

// Every entry of WeChat's catalogue, as the admin reads it on the
// authorization page and wherever an error is shown, is in words in both
// languages; the code is only in the staff's toggle.
func TestEveryWeChatErrorReadsInWords(t *testing.T) {
	defer onUIDo(func() { SetupLanguage(LangZH) })
	for _, l := range []string{LangZH, LangEN} {
		onUIDo(func() { SetupLanguage(l) })
		for _, c := range append(flow.WeChatCodes(), 99999) {
			code := strconv.Itoa(c)
			err := fmt.Errorf("sync: %w", &wechat.APIError{Code: c, Msg: "access clientip is not registered", RID: "66aa-bb"})
			for where, text := range map[string]string{"auth page": failureReason("wechat:" + code), "error": errorText(err)} {
				if text == "" || rawWeChat.MatchString(text) || (c != -1 && strings.Contains(text, code)) || strings.Contains(text, "66aa-bb") {
					t.Errorf("%s %s %d: %q", l, where, c, text)
				}
			}
			acc, ok := staffDetails(err).(*widget.Accordion)
			if !ok || !strings.Contains(acc.Items[0].Detail.(*widget.Label).Text, code) {
				t.Errorf("%s %d: the code is not behind the staff's toggle", l, c)
			}
		}
	}
}
