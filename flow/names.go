package flow

import (
	"oawizard/clock"
	"oawizard/flow/connclient"
	"oawizard/flow/sdkimport"
	"oawizard/flow/secret"
	"oawizard/flow/store"
	"oawizard/flow/syncer"
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

// The results database.
type (
	DB      = store.DB
	DayStat = store.DayStat
)

var (
	ErrStoreReadOnly = store.ErrReadOnly
	ErrStoreDiskFull = store.ErrDiskFull
	ErrStoreLocked   = store.ErrLocked
	ErrStoreCorrupt  = store.ErrCorrupt
	ErrStoreTooNew   = store.ErrTooNew
)

// StoreLockError names what holds the database, when it can be known.
type StoreLockError = store.LockError

// The wizard's clock (NewWizard's): tests fix the day the window shows.
type Clock = clock.Clock

// The keychain.
type Keychain = secret.Store

var (
	ErrKeychainUnavailable = secret.ErrUnavailable
	ErrKeychainNotFound    = secret.ErrNotFound
	TokenKey               = secret.TokenKey
	GetSecretAsync         = secret.GetAsync
)

// The connector.
type (
	Session    = connclient.Session
	ConnError  = connclient.Error
	ConnState  = connclient.ConnState
	ConnHealth = connclient.Health
)

var (
	NewConnClient = connclient.New
	// ErrTokenRevoked: the connector no longer accepts the project token;
	// the fix is in Settings.
	ErrTokenRevoked = connclient.ErrTokenRevoked
)

// The sync. How a run ended is the sync page's view (SyncView), so the
// window needs none of the sync's errors.
type (
	SyncProgress = syncer.Progress
	QuotaReport  = syncer.QuotaReport
)

// The analytics export.
type (
	ImportMapping = sdkimport.Mapping
	ImportError   = sdkimport.Error
	ImportStats   = sdkimport.Stats
	ImportOptions = sdkimport.Options
	ImportSheet   = sdkimport.SheetInfo
)

const (
	ImportNoHeader    = sdkimport.KindNoHeader
	ImportSheetChoice = sdkimport.KindSheetChoice
	ImportUnreadable  = sdkimport.KindUnreadable
	// ImportReasonBlankLine counts lines, not rows: listed, never skipped.
	ImportReasonBlankLine = sdkimport.ReasonBlankLine
	// SDKPassShare is step 2's threshold, stated on its page.
	SDKPassShare = verdict.SDKPassShare
)

var ImportReasons = sdkimport.Reasons

// WeChat's own error catalogue.
type WeChatAPIError = wechat.APIError

const (
	WeChatLangZH = wechat.LangZH
	WeChatLangEN = wechat.LangEN
)

var DescribeWeChat = wechat.Describe

// ExclusiveSet reports whether a permission set is held by one platform at
// a time (so a missing one may be another provider's).
var ExclusiveSet = wechat.ExclusiveSet

// WeChatCodes lists every code the catalogue explains.
var WeChatCodes = wechat.Codes
