// Package valid holds the argument checks shared by package problems and the
// problem packages built on it, so that every constructor names a bad
// argument the same way. Each error starts with the calling package's name,
// pkg.
package valid
