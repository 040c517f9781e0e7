// H5（公众号网页）：网页授权后上报 openid 和 unionid
// H5 pages in the Official Account: report openid and unionid after OAuth.
//
// 1. 跳转到网页授权（snsapi_base 即可拿到 openid；unionid 需要公众号已绑定开放平台）
//    Redirect to OAuth (snsapi_base is enough for openid; unionid needs the
//    Official Account bound to an Open Platform account):
//    https://open.weixin.qq.com/connect/oauth2/authorize?appid=APPID&redirect_uri=REDIRECT&response_type=code&scope=snsapi_base#wechat_redirect
// 2. 后端用 code 调用 sns/oauth2/access_token 得到 openid（及 unionid），返回给页面。
//    Your backend exchanges the code at sns/oauth2/access_token for openid
//    (and unionid) and returns them to the page.
fetch('/wx/oauth?code=' + encodeURIComponent(new URLSearchParams(location.search).get('code')))
  .then(r => r.json())
  .then(u => analytics.identify({ openid: u.openid, unionid: u.unionid || '' }))
