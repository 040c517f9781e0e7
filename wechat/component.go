package wechat

import (
	"context"
	"net/http"
)

// Component ("third-party platform") APIs, reference §1. All of them need a
// component_access_token except api_component_token and api_start_push_ticket.

// ComponentTokenRequest is api_component_token's body.
type ComponentTokenRequest struct {
	ComponentAppID        string `json:"component_appid"`
	ComponentAppSecret    string `json:"component_appsecret"`
	ComponentVerifyTicket string `json:"component_verify_ticket"`
}

// ComponentToken is api_component_token's answer.
type ComponentToken struct {
	ComponentAccessToken string `json:"component_access_token"`
	ExpiresIn            int    `json:"expires_in"`
}

// ComponentToken mints a component_access_token (valid 7200 s).
func (c *Client) ComponentToken(ctx context.Context, req ComponentTokenRequest) (*ComponentToken, error) {
	var out ComponentToken
	err := c.Do(ctx, http.MethodPost, "/cgi-bin/component/api_component_token", nil, req, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// StartPushTicket asks WeChat to resume pushing component_verify_ticket.
func (c *Client) StartPushTicket(ctx context.Context, componentAppID, componentSecret string) error {
	body := map[string]string{"component_appid": componentAppID, "component_secret": componentSecret}
	return c.Do(ctx, http.MethodPost, "/cgi-bin/component/api_start_push_ticket", nil, body, nil)
}

// PreAuthCode is api_create_preauthcode's answer. The lifetime is whatever
// expires_in says: the documentation contradicts itself (1800 s vs 600 s).
type PreAuthCode struct {
	PreAuthCode string `json:"pre_auth_code"`
	ExpiresIn   int    `json:"expires_in"`
}

// CreatePreAuthCode mints a single-use pre_auth_code for one authorization link.
func (c *Client) CreatePreAuthCode(ctx context.Context, componentToken, componentAppID string) (*PreAuthCode, error) {
	var out PreAuthCode
	body := map[string]string{"component_appid": componentAppID}
	err := c.Do(ctx, http.MethodPost, "/cgi-bin/component/api_create_preauthcode", componentQuery(componentToken), body, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// FuncInfo is one permission set (权限集) in func_info.
type FuncInfo struct {
	FuncscopeCategory struct {
		ID int `json:"id"`
	} `json:"funcscope_category"`
	ConfirmInfo *struct {
		NeedConfirm    int `json:"need_confirm"`
		AlreadyConfirm int `json:"already_confirm"`
		CanConfirm     int `json:"can_confirm"`
	} `json:"confirm_info,omitempty"`
}

// PermissionIDs lists the permission set ids of func_info in order.
func PermissionIDs(fi []FuncInfo) []int {
	ids := make([]int, 0, len(fi))
	for _, f := range fi {
		ids = append(ids, f.FuncscopeCategory.ID)
	}
	return ids
}

// AuthorizationInfo is what an authorization grants. The access and refresh
// tokens are present only in api_query_auth's answer, and only when the
// account has API permission.
type AuthorizationInfo struct {
	AuthorizerAppID        string     `json:"authorizer_appid"`
	AuthorizerAccessToken  string     `json:"authorizer_access_token,omitempty"`
	ExpiresIn              int        `json:"expires_in,omitempty"`
	AuthorizerRefreshToken string     `json:"authorizer_refresh_token,omitempty"`
	FuncInfo               []FuncInfo `json:"func_info"`
}

// QueryAuthResult is api_query_auth's answer.
type QueryAuthResult struct {
	AuthorizationInfo AuthorizationInfo `json:"authorization_info"`
}

// QueryAuth exchanges an authorization code (from the redirect or the
// authorized push) for the authorizer's tokens. A used or expired code is 61010.
func (c *Client) QueryAuth(ctx context.Context, componentToken, componentAppID, authCode string) (*QueryAuthResult, error) {
	var out QueryAuthResult
	body := map[string]string{"component_appid": componentAppID, "authorization_code": authCode}
	err := c.Do(ctx, http.MethodPost, "/cgi-bin/component/api_query_auth", componentQuery(componentToken), body, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// AuthorizerToken is api_authorizer_token's answer. WeChat may hand back a
// new refresh token; callers must store whatever comes back.
type AuthorizerToken struct {
	AuthorizerAccessToken  string `json:"authorizer_access_token"`
	ExpiresIn              int    `json:"expires_in"`
	AuthorizerRefreshToken string `json:"authorizer_refresh_token"`
}

// AuthorizerToken refreshes an authorizer_access_token. An invalid refresh
// token is 61023.
func (c *Client) AuthorizerToken(ctx context.Context, componentToken, componentAppID, authorizerAppID, refreshToken string) (*AuthorizerToken, error) {
	var out AuthorizerToken
	body := map[string]string{
		"component_appid":          componentAppID,
		"authorizer_appid":         authorizerAppID,
		"authorizer_refresh_token": refreshToken,
	}
	err := c.Do(ctx, http.MethodPost, "/cgi-bin/component/api_authorizer_token", componentQuery(componentToken), body, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// IDName is the {id, name} pair used by service_type_info and verify_type_info.
type IDName struct {
	ID   int    `json:"id"`
	Name string `json:"name,omitempty"`
}

// AuthorizerInfo is authorizer_info of api_get_authorizer_info (reference §1.8).
type AuthorizerInfo struct {
	NickName        string         `json:"nick_name"`
	HeadImg         string         `json:"head_img"`
	ServiceTypeInfo IDName         `json:"service_type_info"`
	VerifyTypeInfo  IDName         `json:"verify_type_info"`
	UserName        string         `json:"user_name"`
	Alias           string         `json:"alias"`
	QRCodeURL       string         `json:"qrcode_url"`
	BusinessInfo    map[string]int `json:"business_info"`
	PrincipalName   string         `json:"principal_name"`
	Signature       string         `json:"signature"`
	RegisterType    int            `json:"register_type"`
	AccountStatus   int            `json:"account_status"`
	BasicConfig     *struct {
		IsPhoneConfigured bool `json:"is_phone_configured"`
		IsEmailConfigured bool `json:"is_email_configured"`
	} `json:"basic_config,omitempty"`
	MiniProgramInfo *MiniProgramInfo `json:"MiniProgramInfo,omitempty"`
}

// MiniProgramInfo is present only for mini-program authorizers.
type MiniProgramInfo struct {
	Network    map[string][]string `json:"network"`
	Categories []struct {
		First  string `json:"first"`
		Second string `json:"second"`
	} `json:"categories"`
	VisitStatus int `json:"visit_status"`
}

// Verified reports verify_type_info.id == 0 (微信认证). Ids 3 and 4 mean the
// qualification passed but naming is pending; callers decide how to show that.
func (a *AuthorizerInfo) Verified() bool { return a.VerifyTypeInfo.ID == 0 }

// AuthorizerInfoResult is api_get_authorizer_info's answer.
type AuthorizerInfoResult struct {
	AuthorizerInfo    AuthorizerInfo    `json:"authorizer_info"`
	AuthorizationInfo AuthorizationInfo `json:"authorization_info"`
}

// AuthorizerInfo reads an authorized account's profile and granted sets.
func (c *Client) AuthorizerInfo(ctx context.Context, componentToken, componentAppID, authorizerAppID string) (*AuthorizerInfoResult, error) {
	var out AuthorizerInfoResult
	body := map[string]string{"component_appid": componentAppID, "authorizer_appid": authorizerAppID}
	err := c.Do(ctx, http.MethodPost, "/cgi-bin/component/api_get_authorizer_info", componentQuery(componentToken), body, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// AuthorizerListItem is one entry of api_get_authorizer_list.
type AuthorizerListItem struct {
	AuthorizerAppID string `json:"authorizer_appid"`
	RefreshToken    string `json:"refresh_token"`
	AuthTime        int64  `json:"auth_time"`
}

// AuthorizerList is api_get_authorizer_list's answer.
type AuthorizerList struct {
	TotalCount int                  `json:"total_count"`
	List       []AuthorizerListItem `json:"list"`
}

// MaxAuthorizerListCount is the largest page api_get_authorizer_list accepts
// (larger is 40170).
const MaxAuthorizerListCount = 500

// AuthorizerList pages through every account authorized to the component; it
// is how a lost refresh token is recovered.
func (c *Client) AuthorizerList(ctx context.Context, componentToken, componentAppID string, offset, count int) (*AuthorizerList, error) {
	var out AuthorizerList
	body := map[string]any{"component_appid": componentAppID, "offset": offset, "count": count}
	err := c.Do(ctx, http.MethodPost, "/cgi-bin/component/api_get_authorizer_list", componentQuery(componentToken), body, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}
