import { createContext, useContext } from 'react';

const NonceContext = createContext<string>('');
export const NonceProvider = NonceContext.Provider;
/** The per-request CSP nonce, for the few inline scripts Remix renders. */
export const useNonce = () => useContext(NonceContext);
