// SPDX-License-Identifier: GPL-2.0
// Static storage in a module whose constructors never run.
//
// Debian's kernel has CONFIG_CONSTRUCTORS off: the module loader ignores
// .init_array, so a namespace-scope object with a dynamic initialiser would
// silently stay zero. xcall's rule, enforced at build time (scripts/check-ko
// refuses .init_array/.ctors/.fini_array/.dtors sections and guard
// variables in xcall.ko):
//
//   * an object with static storage duration is `constinit` (constant
//     initialised by the compiler) and trivially destructible;
//   * anything that must run code to come alive lives in a ManualLifetime<T>
//     and is constructed by module init and destroyed by module exit, in an
//     order the module spells out.
#pragma once

#include <cxxrt/lifetime.h>
#include <cxxrt/new.h>
#include <cxxrt/utility.h>

namespace cxxrt {

template <typename T>
class ManualLifetime : Pinned {
public:
	constexpr ManualLifetime() noexcept = default;
	// Trivial on purpose: a static ManualLifetime needs no exit-time code.
	// Whoever constructs the value destroys it.
	~ManualLifetime() = default;

	template <typename... Args>
	T &construct(Args &&...args)
	{
		if (alive_)
			cxxrt_lifetime_violation("ManualLifetime constructed twice");
		T *value = new (storage_) T(forward<Args>(args)...);
		alive_ = true;
		return *value;
	}

	void destroy() noexcept
	{
		if (!alive_)
			cxxrt_lifetime_violation("ManualLifetime destroyed while not alive");
		get().~T();
		alive_ = false;
	}

	bool alive() const noexcept { return alive_; }

	T &get() noexcept
	{
		if (!alive_)
			cxxrt_lifetime_violation("ManualLifetime used while not alive");
		return *__builtin_launder(reinterpret_cast<T *>(storage_));
	}
	T *operator->() noexcept { return &get(); }
	T &operator*() noexcept { return get(); }

private:
	alignas(T) unsigned char storage_[sizeof(T)] = {};
	bool alive_ = false;
};

}  // namespace cxxrt
