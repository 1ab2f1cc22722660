import type { Component } from "solid-js";
import DangerZone from "../components/DangerZone";
import PasswordForm from "../components/PasswordForm";
import ProfileForm from "../components/ProfileForm";

/** The account page: profile, password, data export and deletion. */
const Profile: Component = () => (
  <section class="stack-lg">
    <h1>Your account</h1>
    <ProfileForm />
    <PasswordForm />
    <DangerZone />
  </section>
);

export default Profile;
