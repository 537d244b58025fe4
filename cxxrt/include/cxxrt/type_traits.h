// SPDX-License-Identifier: GPL-2.0
// The type traits xcall uses, built on compiler intrinsics. Named as in the
// standard library so that readers know them; they live in namespace cxxrt.
#pragma once

#include <cxxrt/types.h>

namespace cxxrt {

template <typename T, T V>
struct integral_constant {
	static constexpr T value = V;
	using value_type = T;
	constexpr operator T() const noexcept { return V; }
};
using true_type = integral_constant<bool, true>;
using false_type = integral_constant<bool, false>;

template <typename T> struct type_identity { using type = T; };

template <typename T> struct remove_reference { using type = T; };
template <typename T> struct remove_reference<T &> { using type = T; };
template <typename T> struct remove_reference<T &&> { using type = T; };
template <typename T> using remove_reference_t = typename remove_reference<T>::type;

template <typename T> struct remove_cv { using type = T; };
template <typename T> struct remove_cv<const T> { using type = T; };
template <typename T> struct remove_cv<volatile T> { using type = T; };
template <typename T> struct remove_cv<const volatile T> { using type = T; };
template <typename T> using remove_cv_t = typename remove_cv<T>::type;
template <typename T> using remove_cvref_t = remove_cv_t<remove_reference_t<T>>;

template <typename A, typename B> inline constexpr bool is_same_v = __is_same(A, B);

template <bool B, typename T = void> struct enable_if {};
template <typename T> struct enable_if<true, T> { using type = T; };
template <bool B, typename T = void> using enable_if_t = typename enable_if<B, T>::type;

template <bool B, typename T, typename F> struct conditional { using type = T; };
template <typename T, typename F> struct conditional<false, T, F> { using type = F; };
template <bool B, typename T, typename F> using conditional_t = typename conditional<B, T, F>::type;

template <typename T> struct is_lvalue_reference : false_type {};
template <typename T> struct is_lvalue_reference<T &> : true_type {};
template <typename T> inline constexpr bool is_lvalue_reference_v = is_lvalue_reference<T>::value;

template <typename T> inline constexpr bool is_pointer_v = false;
template <typename T> inline constexpr bool is_pointer_v<T *> = true;
template <typename T> inline constexpr bool is_pointer_v<T *const> = true;

template <typename T> inline constexpr bool is_integral_v =
	__is_same(remove_cv_t<T>, bool) || __is_same(remove_cv_t<T>, char) ||
	__is_same(remove_cv_t<T>, signed char) || __is_same(remove_cv_t<T>, unsigned char) ||
	__is_same(remove_cv_t<T>, short) || __is_same(remove_cv_t<T>, unsigned short) ||
	__is_same(remove_cv_t<T>, int) || __is_same(remove_cv_t<T>, unsigned int) ||
	__is_same(remove_cv_t<T>, long) || __is_same(remove_cv_t<T>, unsigned long) ||
	__is_same(remove_cv_t<T>, long long) || __is_same(remove_cv_t<T>, unsigned long long);

template <typename T> inline constexpr bool is_enum_v = __is_enum(T);
template <typename T> inline constexpr bool is_class_v = __is_class(T);
template <typename T> inline constexpr bool is_trivially_destructible_v = __has_trivial_destructor(T);
template <typename T> inline constexpr bool is_trivially_copyable_v = __is_trivially_copyable(T);
template <typename T, typename... A> inline constexpr bool is_constructible_v = __is_constructible(T, A...);
template <typename T> inline constexpr bool is_polymorphic_v = __is_polymorphic(T);
template <typename B, typename D> inline constexpr bool is_base_of_v = __is_base_of(B, D);

template <typename T> T &&declval() noexcept;

namespace detail {
template <typename To> void accept_implicitly(To) noexcept;
}
// From converts implicitly to To.
template <typename From, typename To>
concept convertible_to = requires { detail::accept_implicitly<To>(declval<From>()); };

template <typename T>
concept trivially_destructible = is_trivially_destructible_v<T>;

// The result of calling F with Args; and the concept "F can be called so".
template <typename F, typename... Args>
using invoke_result_t = decltype(declval<F>()(declval<Args>()...));

template <typename F, typename... Args>
concept invocable = requires(F &&f, Args &&...args) { static_cast<F &&>(f)(static_cast<Args &&>(args)...); };

template <typename F, typename R, typename... Args>
concept invocable_r = invocable<F, Args...> && (__is_same(R, void) || convertible_to<invoke_result_t<F, Args...>, R>);

}  // namespace cxxrt
