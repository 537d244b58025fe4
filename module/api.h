// SPDX-License-Identifier: GPL-2.0
// The C API that other modules use (include/xcall/xcall.h), implemented on
// the module's RemoteQueue: remote irq_work items are queue nodes of the
// irq_work kinds, synchronous calls are RemoteQueue::call().
//
// module/api.cpp defines the header's C functions; bridge/api.c exports
// them (EXPORT_SYMBOL_GPL, CRCs from the header's prototypes). A
// client can only call them while xcall is live (its symbols resolve after
// xcall's init, and xcall cannot unload while a client is loaded), so the
// queue is attached for as long as any call can come.
#pragma once

#include <cxxrt/utility.h>

namespace xcall {

class RemoteQueue;

// Attaches the queue the C API uses for the lifetime of this object.
class ClientApi : cxxrt::Pinned {
public:
	explicit ClientApi(RemoteQueue &queue) noexcept : queue_(queue) {}
	~ClientApi() { detach(); }

	void attach() noexcept;
	void detach() noexcept;

private:
	RemoteQueue &queue_;
};

}  // namespace xcall
