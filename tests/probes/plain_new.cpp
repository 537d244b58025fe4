// Harness probe: must NOT build. Plain `new T` names no allocation context;
// cxxrt does not define operator new(size_t), so modpost finds _Znwm undefined.
extern "C" int *xcall_probe_alloc() { return new int(1); }
