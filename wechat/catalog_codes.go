package wechat

// catalog holds every code of reference §7 with its class and whose job it
// is. The words an admin reads are in assets/translations/wechat.<locale>.json,
// keyed wechat.code.<code>.meaning and .remedy.
//
// Classes follow WeChat's global error code page and the platform pages:
// 61007 "api is unauthorized to component" is a permission set the account
// did not grant the platform (third_party_authority_instructions.html), so
// the authorization holds but does not reach the API: not permitted, as are
// 48001 "api unauthorized", 50001 "user unauthorized" and 61016 (the set
// awaits the admin's confirmation). 61003, 61010 and 61023 are an
// authorization that no longer holds. 50002 "user limited" is the account
// limited by WeChat (reference §1.6), which no new authorization lifts.
var catalog = map[int]entry{
	-1:    {ClassRetrySoon, OwnerRetry},
	40001: {ClassRetrySoon, OwnerRetry},
	40003: {ClassOther, OwnerDeveloper},
	40013: {ClassOther, OwnerAdmin},
	40014: {ClassRetrySoon, OwnerRetry},
	40029: {ClassOther, OwnerDeveloper},
	40032: {ClassOther, OwnerDeveloper},
	40125: {ClassVendor, OwnerVendor},
	40164: {ClassOther, OwnerAdmin},
	40170: {ClassOther, OwnerDeveloper},
	40226: {ClassOther, OwnerDeveloper},
	41001: {ClassRetrySoon, OwnerRetry},
	41004: {ClassVendor, OwnerVendor},
	41018: {ClassVendor, OwnerVendor},
	41033: {ClassOther, OwnerAdmin},
	42001: {ClassRetrySoon, OwnerRetry},
	42007: {ClassReauthorize, OwnerAdmin},
	43001: {ClassOther, OwnerDeveloper},
	43002: {ClassOther, OwnerDeveloper},
	43003: {ClassOther, OwnerDeveloper},
	44002: {ClassOther, OwnerDeveloper},
	45009: {ClassDailyQuota, OwnerAdmin},
	45011: {ClassRetryMinute, OwnerRetry},
	47001: {ClassOther, OwnerDeveloper},
	48001: {ClassNotPermitted, OwnerAdmin},
	48004: {ClassNotPermitted, OwnerAdmin},
	48006: {ClassOther, OwnerAdmin},
	50001: {ClassNotPermitted, OwnerAdmin},
	50002: {ClassAccountLimited, OwnerAdmin},
	61003: {ClassReauthorize, OwnerAdmin},
	61004: {ClassVendor, OwnerVendor},
	61005: {ClassVendor, OwnerVendor},
	61006: {ClassVendor, OwnerVendor},
	61007: {ClassNotPermitted, OwnerAdmin},
	61010: {ClassReauthorize, OwnerAdmin},
	61011: {ClassVendor, OwnerVendor},
	61014: {ClassOther, OwnerDeveloper},
	61016: {ClassNotPermitted, OwnerAdmin},
	61023: {ClassReauthorize, OwnerAdmin},
	61024: {ClassOther, OwnerDeveloper},
	61501: {ClassOther, OwnerDeveloper},
	76021: {ClassOther, OwnerDeveloper},
	76022: {ClassOther, OwnerDeveloper},
	89000: {ClassOther, OwnerAdmin},
	89001: {ClassOther, OwnerAdmin},
	89002: {ClassOther, OwnerAdmin},
	89003: {ClassOther, OwnerAdmin},
	89004: {ClassOther, OwnerAdmin},
	89036: {ClassOther, OwnerAdmin},
}
