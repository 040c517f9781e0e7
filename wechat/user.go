package wechat

import (
	"context"
	"net/http"
)

// Follower APIs, datacube and quota, reference §6. The token is an authorizer
// or own token; empty when the call goes through the connector's relay.

// MaxUserGet is how many openids one user/get page carries.
const MaxUserGet = 10000

// MaxBatchGet is the most openids one user/info/batchget call accepts
// (more is 40032).
const MaxBatchGet = 100

// UserList is one user/get page. The page after the last has Count 0, an
// empty NextOpenID and no data at all.
type UserList struct {
	Total int `json:"total"`
	Count int `json:"count"`
	Data  struct {
		OpenID []string `json:"openid"`
	} `json:"data"`
	NextOpenID string `json:"next_openid"`
}

// Done reports whether this page ends the list: WeChat says an empty
// next_openid ends it, and an empty page must end it too or a loop never would.
func (l *UserList) Done() bool { return l.NextOpenID == "" || len(l.Data.OpenID) == 0 }

// UserGet reads one page of followers starting after nextOpenID ("" for the first).
func (c *Client) UserGet(ctx context.Context, token, nextOpenID string) (*UserList, error) {
	q := tokenQuery(token)
	if nextOpenID != "" {
		q.Set("next_openid", nextOpenID)
	}
	var out UserList
	if err := c.Do(ctx, http.MethodGet, "/cgi-bin/user/get", q, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UserInfo is one row of user/info/batchget. Unsubscribed users carry only
// openid and subscribe 0; unionid appears only when the account is bound to an
// Open Platform account.
type UserInfo struct {
	Subscribe      int    `json:"subscribe"`
	OpenID         string `json:"openid"`
	Language       string `json:"language,omitempty"`
	SubscribeTime  int64  `json:"subscribe_time,omitempty"`
	UnionID        string `json:"unionid,omitempty"`
	Remark         string `json:"remark,omitempty"`
	GroupID        int    `json:"groupid,omitempty"`
	TagIDList      []int  `json:"tagid_list,omitempty"`
	SubscribeScene string `json:"subscribe_scene,omitempty"`
	QRScene        int    `json:"qr_scene,omitempty"`
	QRSceneStr     string `json:"qr_scene_str,omitempty"`
}

type batchGetUser struct {
	OpenID string `json:"openid"`
	Lang   string `json:"lang,omitempty"`
}

// UserInfoBatchGet fetches up to MaxBatchGet users in one call; lang may be empty.
func (c *Client) UserInfoBatchGet(ctx context.Context, token string, openids []string, lang string) ([]UserInfo, error) {
	body := struct {
		UserList []batchGetUser `json:"user_list"`
	}{UserList: make([]batchGetUser, len(openids))}
	for i, id := range openids {
		body.UserList[i] = batchGetUser{OpenID: id, Lang: lang}
	}
	var out struct {
		UserInfoList []UserInfo `json:"user_info_list"`
	}
	if err := c.Do(ctx, http.MethodPost, "/cgi-bin/user/info/batchget", tokenQuery(token), body, &out); err != nil {
		return nil, err
	}
	return out.UserInfoList, nil
}

// UserSummary is one row of datacube/getusersummary.
type UserSummary struct {
	RefDate    string `json:"ref_date"`
	UserSource int    `json:"user_source"`
	NewUser    int    `json:"new_user"`
	CancelUser int    `json:"cancel_user"`
}

// UserCumulate is one row of datacube/getusercumulate.
type UserCumulate struct {
	RefDate      string `json:"ref_date"`
	UserSource   int    `json:"user_source,omitempty"`
	CumulateUser int    `json:"cumulate_user"`
}

// MaxDatacubeDays is the longest range datacube user APIs accept (61501 beyond).
const MaxDatacubeDays = 7

type dateRange struct {
	BeginDate string `json:"begin_date"`
	EndDate   string `json:"end_date"`
}

// UserSummaryRange reads new and cancelled followers per day and source for
// begin..end (yyyy-MM-dd, at most 7 days, ending yesterday at the latest).
func (c *Client) UserSummary(ctx context.Context, token, begin, end string) ([]UserSummary, error) {
	var out struct {
		List []UserSummary `json:"list"`
	}
	err := c.Do(ctx, http.MethodPost, "/datacube/getusersummary", tokenQuery(token), dateRange{begin, end}, &out)
	if err != nil {
		return nil, err
	}
	return out.List, nil
}

// UserCumulate reads the follower total per day for begin..end.
func (c *Client) UserCumulate(ctx context.Context, token, begin, end string) ([]UserCumulate, error) {
	var out struct {
		List []UserCumulate `json:"list"`
	}
	err := c.Do(ctx, http.MethodPost, "/datacube/getusercumulate", tokenQuery(token), dateRange{begin, end}, &out)
	if err != nil {
		return nil, err
	}
	return out.List, nil
}

// Quota is openapi/quota/get's answer for one cgi_path.
type Quota struct {
	Quota struct {
		DailyLimit int `json:"daily_limit"`
		Used       int `json:"used"`
		Remain     int `json:"remain"`
	} `json:"quota"`
	RateLimit struct {
		CallCount     int `json:"call_count"`
		RefreshSecond int `json:"refresh_second"`
	} `json:"rate_limit"`
	ComponentRateLimit struct {
		CallCount     int `json:"call_count"`
		RefreshSecond int `json:"refresh_second"`
	} `json:"component_rate_limit"`
}

// QuotaGet reads the daily quota of cgiPath (e.g. "/cgi-bin/user/get").
func (c *Client) QuotaGet(ctx context.Context, token, cgiPath string) (*Quota, error) {
	var out Quota
	body := map[string]string{"cgi_path": cgiPath}
	if err := c.Do(ctx, http.MethodPost, "/cgi-bin/openapi/quota/get", tokenQuery(token), body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
