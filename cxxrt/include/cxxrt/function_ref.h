// SPDX-License-Identifier: GPL-2.0
// A non-owning, typed reference to any callable: one pointer to the object
// and one to a thunk. For passing a lambda down a call chain without a
// template everywhere; the callable must outlive the FunctionRef.
#pragma once

#include <cxxrt/type_traits.h>
#include <cxxrt/utility.h>

namespace cxxrt {

template <typename Signature> class FunctionRef;

template <typename R, typename... Args>
class FunctionRef<R(Args...)> {
public:
	template <typename F>
		requires(!is_same_v<remove_cvref_t<F>, FunctionRef> && invocable_r<F &, R, Args...>)
	FunctionRef(F &&callable) noexcept
		: object_(const_cast<void *>(static_cast<const void *>(&callable))),
		  thunk_(&call<remove_reference_t<F>>)
	{
	}

	R operator()(Args... args) const { return thunk_(object_, forward<Args>(args)...); }

private:
	template <typename F>
	static R call(void *object, Args... args)
	{
		return static_cast<R>((*static_cast<F *>(object))(forward<Args>(args)...));
	}

	void *object_;
	R (*thunk_)(void *, Args...);
};

}  // namespace cxxrt
