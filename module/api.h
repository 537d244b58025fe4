// SPDX-License-Identifier: GPL-2.0
// The C API that other modules use (include/xcall/xcall.h), implemented on
// the module's RemoteQueue: remote irq_work items are queue nodes of the
// irq_work kinds, synchronous calls are RemoteQueue::call().
//
// bridge/api.c exports the C symbols and forwards here (bridge/api.h). A
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
