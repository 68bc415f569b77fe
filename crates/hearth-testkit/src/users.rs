//! Test users: registered through the auth use case, with the caller their token proves.

use hearth_app::{Caller, NewSession, RegisterInput};
use hearth_domain::{User, UserId};

use crate::{PASSWORD, TEST_IP, TestKit};

/// A registered, signed-in user.
#[derive(Clone, Debug)]
pub struct TestUser {
    /// The account.
    pub user: User,
    /// Who the use cases see when this user calls (from their access token).
    pub caller: Caller,
    /// Their token pair.
    pub session: NewSession,
}

impl TestUser {
    /// Their id.
    pub fn id(&self) -> UserId {
        self.user.id
    }

    /// Their id as a request names it.
    pub fn id_string(&self) -> String {
        self.user.id.to_string()
    }
}

impl TestKit {
    /// Registers `username` (password [`PASSWORD`]) and signs them in.
    pub async fn user(&self, username: &str) -> TestUser {
        let input = RegisterInput {
            username: username.to_owned(),
            display_name: None,
            password: PASSWORD.to_owned(),
            email: None,
        };
        let (user, session) = self
            .app
            .auth
            .register(input, &hearth_app::ClientInfo::from_ip(TEST_IP))
            .await
            .expect("register a test user");
        let caller = self
            .app
            .auth
            .authenticate(&session.access_token)
            .expect("a fresh access token is accepted");
        TestUser {
            user,
            caller,
            session,
        }
    }

    /// `who` blocks `whom`.
    pub async fn block(&self, who: &TestUser, whom: &TestUser) {
        self.app
            .privacy
            .block(who.caller, &whom.id_string())
            .await
            .expect("block");
    }

    /// Registers each of `usernames`, in order.
    pub async fn users<const N: usize>(&self, usernames: [&str; N]) -> [TestUser; N] {
        let mut users = Vec::with_capacity(N);
        for name in usernames {
            users.push(self.user(name).await);
        }
        users
            .try_into()
            .unwrap_or_else(|_| unreachable!("one user per name"))
    }
}
