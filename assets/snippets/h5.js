// H5（公众号网页）：网页授权后上报 openid 和 unionid
// H5 pages in the Official Account: report openid and unionid after OAuth.
//
// 1. 跳转到网页授权。要拿到 unionid，请用 scope=snsapi_userinfo（用户需点一次同意）：
//    自 2017 年 12 月起，snsapi_base 只对已关注公众号或授权过的用户返回 unionid，
//    未关注的访客只有 openid。两者都需要公众号已绑定开放平台。
//    Redirect to OAuth. For a unionid use scope=snsapi_userinfo (the user
//    agrees once): since December 2017 snsapi_base returns a unionid only for
//    users who follow the Official Account or authorized before; other
//    visitors get an openid alone. Both need the Official Account bound to
//    an Open Platform account.
//    https://open.weixin.qq.com/connect/oauth2/authorize?appid=APPID&redirect_uri=REDIRECT&response_type=code&scope=snsapi_userinfo&state=STATE#wechat_redirect
// 2. 后端用 code 调用 sns/oauth2/access_token 得到 openid 和 unionid，返回给页面。
//    Your backend exchanges the code at sns/oauth2/access_token for openid
//    and unionid and returns them to the page.
fetch('/wx/oauth?code=' + encodeURIComponent(new URLSearchParams(location.search).get('code')))
  .then(r => r.json())
  .then(u => analytics.identify({ openid: u.openid, unionid: u.unionid || '' }))
