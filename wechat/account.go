package wechat

import (
	"context"
	"net/http"
	"slices"
)

// Account facts and Open Platform binding, reference §4 and §5. These are
// called with an authorizer token (or, for stable_token, the account's own
// AppSecret).

// WxVerifyInfo is getaccountbasicinfo's verification detail.
type WxVerifyInfo struct {
	QualificationVerify   bool  `json:"qualification_verify"`
	NamingVerify          bool  `json:"naming_verify"`
	AnnualReview          bool  `json:"annual_review"`
	AnnualReviewBeginTime int64 `json:"annual_review_begin_time"`
	AnnualReviewEndTime   int64 `json:"annual_review_end_time"`
}

// AccountBasicInfo is cgi-bin/account/getaccountbasicinfo's answer
// (permission set 3 for an OA, 30 for a mini-program).
type AccountBasicInfo struct {
	AppID             string       `json:"appid"`
	AccountType       int          `json:"account_type"`   // 1 订阅号, 2 服务号, 3 小程序
	PrincipalType     int          `json:"principal_type"` // 0 个人, 1 企业, 2 媒体, 3 政府, 4 其他组织
	PrincipalName     string       `json:"principal_name"`
	Credential        string       `json:"credential"`
	CustomerType      int          `json:"customer_type"`
	RealnameStatus    int          `json:"realname_status"`
	WxVerifyInfo      WxVerifyInfo `json:"wx_verify_info"`
	Nickname          string       `json:"nickname"`
	RegisteredCountry int          `json:"registered_country"`
}

// AccountBasicInfo reads the principal and verification of the token's account.
func (c *Client) AccountBasicInfo(ctx context.Context, token string) (*AccountBasicInfo, error) {
	var out AccountBasicInfo
	err := c.Do(ctx, http.MethodPost, "/cgi-bin/account/getaccountbasicinfo", tokenQuery(token), struct{}{}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// CodeOpenNotExists is open/get's answer for an account not bound to any Open
// Platform account: no unionid exists for its users.
const CodeOpenNotExists = 89002

// OpenGet returns the open_appid the account is bound to. An unbound account
// is an *APIError with Code 89002; appid may be empty (it must equal the
// token's account when given).
func (c *Client) OpenGet(ctx context.Context, token, appid string) (string, error) {
	var out struct {
		OpenAppID string `json:"open_appid"`
	}
	body := map[string]string{}
	if appid != "" {
		body["appid"] = appid
	}
	if err := c.Do(ctx, http.MethodPost, "/cgi-bin/open/get", tokenQuery(token), body, &out); err != nil {
		return "", err
	}
	return out.OpenAppID, nil
}

// OpenHave reports whether the account is bound to some Open Platform account;
// it needs only permission set 3, not the exclusive set 24.
func (c *Client) OpenHave(ctx context.Context, token string) (bool, error) {
	var out struct {
		HaveOpen bool `json:"have_open"`
	}
	if err := c.Do(ctx, http.MethodGet, "/cgi-bin/open/have", tokenQuery(token), nil, &out); err != nil {
		return false, err
	}
	return out.HaveOpen, nil
}

// StableToken is cgi-bin/stable_token's answer.
type StableToken struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
}

// StableToken gets the account's own token without invalidating the one its
// production systems hold (cgi-bin/token would). The account's API IP
// whitelist applies: a caller outside it gets 40164.
func (c *Client) StableToken(ctx context.Context, appid, secret string, forceRefresh bool) (*StableToken, error) {
	var out StableToken
	body := map[string]any{
		"grant_type":    "client_credential",
		"appid":         appid,
		"secret":        secret,
		"force_refresh": forceRefresh,
	}
	if err := c.Do(ctx, http.MethodPost, "/cgi-bin/stable_token", nil, body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Verification reads verify_type_info.id as api_get_authorizer_info's
// 公众号认证类型 lists it: -1 not verified; 0 微信认证; 1 and 2 Sina / Tencent
// Weibo verification only, which gives no API rights (接口权限说明); 3
// qualification passed, name not yet; 4 and 5 the same with Sina / Tencent
// Weibo. qualified is what the APIs need (0, 3, 4, 5); known is false for a
// value the documentation does not list, which is no verdict either way.
func Verification(verifyType int) (qualified, known bool) {
	switch verifyType {
	case 0, 3, 4, 5:
		return true, true
	case -1, 1, 2:
		return false, true
	}
	return false, false
}

// exclusiveSets are the permission sets only one platform may hold at a
// time (互斥 = 是 in offical_account_authority.html and
// miniprogram_authority.html): 4 网页服务, 24 开放平台账号管理, 34, 54 for an
// Official Account; 18, 25 开放平台账号管理, 40, 41, 45, 49, 51 for a
// mini-program.
var exclusiveSets = []int{4, 18, 24, 25, 34, 40, 41, 45, 49, 51, 54}

// ExclusiveSet reports whether set can be held by one platform only, so a
// set missing from an authorization may be held by another provider
// although the admin unticked nothing.
func ExclusiveSet(set int) bool { return slices.Contains(exclusiveSets, set) }
