// The independent in-memory fold lives in libs/testing (the chaos command uses it too).
export { COMPARED, comparable, foldInMemory } from '@credit-ledger/testing';
