package flow

import (
	"errors"

	"oawizard/connector/api"
	"oawizard/flow/connclient"
	"oawizard/flow/sdkimport"
	"oawizard/flow/secret"
	"oawizard/flow/store"
	"oawizard/flow/verdict"
	"oawizard/wechat"
)

// The names the window uses from the packages beneath flow. The window is a
// view of flow's state and imports flow only; these keep it from reaching
// past flow into the store, the keychain, the sync or WeChat itself.

// Checks and their verdicts.
type (
	Check    = verdict.Check
	Evidence = verdict.Evidence
)

const (
	SourceSelf = verdict.SourceSelf
	SourceNone = verdict.SourceNone
	SourceData = verdict.SourceData
	SDKOpenID  = verdict.SDKOpenID
	SDKUnionID = verdict.SDKUnionID
)

var (
	SDKChecks     = verdict.SDKChecks
	AccountChecks = verdict.AccountChecks
)

// The results database's refusals, which the window words.
var (
	ErrStoreReadOnly = store.ErrReadOnly
	ErrStoreDiskFull = store.ErrDiskFull
	ErrStoreLocked   = store.ErrLocked
	ErrStoreCorrupt  = store.ErrCorrupt
	ErrStoreTooNew   = store.ErrTooNew
)

// The keychain's refusals.
var (
	ErrKeychainUnavailable = secret.ErrUnavailable
	ErrKeychainNotFound    = secret.ErrNotFound
)

// ErrTokenRevoked: the connector no longer accepts the project token; the
// fix is in Settings.
var ErrTokenRevoked = connclient.ErrTokenRevoked

// The analytics export's reasons, which the window words.
const (
	// ImportReasonBlankLine counts lines, not rows: listed, never skipped.
	ImportReasonBlankLine = sdkimport.ReasonBlankLine
	// SDKPassShare is step 2's threshold, stated on its page.
	SDKPassShare = verdict.SDKPassShare
)

var ImportReasons = sdkimport.Reasons

// WeChatWords is what WeChat's catalogue says of err, when it is (or wraps)
// WeChat's own refusal: its meaning and remedy in lang, the window's
// language ("zh-Hans" or "en").
func WeChatWords(err error, lang string) (string, bool) {
	var ae *wechat.APIError
	if !errors.As(err, &ae) {
		return "", false
	}
	l := wechat.LangZH
	if lang == string(wechat.LangEN) {
		l = wechat.LangEN
	}
	return wechat.Describe(ae, l), true
}

// AuthRefusal is WeChat's refusal that failed an authorization, from the
// session's Reason; nil when the reason is not a refusal of WeChat's.
func AuthRefusal(reason string) error {
	code, ok := api.RefusalCode(reason)
	if !ok {
		return nil
	}
	return &wechat.APIError{Code: code}
}

// ExclusiveSet reports whether a permission set is held by one platform at
// a time (so a missing one may be another provider's).
var ExclusiveSet = wechat.ExclusiveSet

// WeChatCodes lists every code the catalogue explains.
var WeChatCodes = wechat.Codes
