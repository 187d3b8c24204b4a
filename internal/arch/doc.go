// Package arch holds no code: its test keeps the architecture honest by
// checking which packages import which (the rooms of ARCHITECTURE.md).
package arch
