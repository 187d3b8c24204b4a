// Package engine is the domain of disputebot: dialog trees, sessions,
// events, replies and the pure Step function that moves a session along a
// tree. It imports only the standard library: no Telegram, no Redis, no
// i18n. Everything user-visible leaves this package as a message key plus
// data, to be rendered by internal/render.
package engine
