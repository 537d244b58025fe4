// SPDX-License-Identifier: GPL-2.0
// The arguments of a debugfs command: "WORD key=value key=value ...".
// Every key must be one the command knows, given at most once, with a
// non-empty value; anything else is -EINVAL, so a typo never goes unseen.
#pragma once

#include <cxxrt/optional.h>
#include <cxxrt/string_view.h>

#include "bridge/bridge.h"

namespace xcall {

template <cxxrt::size_t N>
class KnobArgs {
public:
	explicit KnobArgs(const char *const (&keys)[N]) noexcept : keys_(keys) {}

	// Parses the tokens left in @rest. 0 or -EINVAL.
	int parse(cxxrt::StringView rest) noexcept
	{
		for (cxxrt::StringView token = rest.next_token(); !token.empty(); token = rest.next_token()) {
			auto eq = token.find('=');
			if (!eq || *eq == 0 || *eq + 1 == token.length())
				return -XK_EINVAL;
			cxxrt::StringView key = token.substr(0, *eq);
			bool known = false;
			for (cxxrt::size_t i = 0; i < N; i++) {
				if (key == keys_[i]) {
					if (!values_[i].empty())
						return -XK_EINVAL;	// given twice
					values_[i] = token.substr(*eq + 1);
					known = true;
				}
			}
			if (!known)
				return -XK_EINVAL;
		}
		return 0;
	}

	bool has(cxxrt::size_t i) const noexcept { return !values_[i].empty(); }
	cxxrt::StringView value(cxxrt::size_t i) const noexcept { return values_[i]; }

	// The value of key @i as a number, @fallback if absent; -EINVAL in
	// *err if present but not a number.
	cxxrt::uint64_t number(cxxrt::size_t i, cxxrt::uint64_t fallback, int *err) const noexcept
	{
		if (!has(i))
			return fallback;
		auto n = values_[i].to_u64();
		if (!n) {
			*err = -XK_EINVAL;
			return 0;
		}
		return *n;
	}

private:
	const char *const (&keys_)[N];
	cxxrt::StringView values_[N];
};

}  // namespace xcall
